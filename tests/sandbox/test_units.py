"""Host-side pieces on their own: comparison, plain-data values, assert conversion."""

from __future__ import annotations

from sandbox import asserts, compare, wire


def test_tokens_and_floats():
    assert compare.tokens_equal("1 2\n3  \n\n", "1\n2 3")
    assert not compare.tokens_equal("YES", "yes")
    assert compare.tokens_equal("0.3333333", "0.333333333")
    assert compare.tokens_equal("1000000.5", "1000000.4999")  # relative 1e-6
    assert not compare.tokens_equal("3.0", "3")  # an integer token is exact
    assert not compare.tokens_equal("nan", "0.5") and not compare.tokens_equal("inf", "1e308")


def test_values_json_and_python_semantics():
    assert compare.values_equal((1, [2.0000001]), [1, [2.0]])
    assert not compare.values_equal(True, 1)
    assert not compare.values_equal(wire.Opaque("x"), 1)
    assert asserts.case_passed(asserts.AssertCase([], (1, 2)), (1, 2))
    assert not asserts.case_passed(asserts.AssertCase([], (1, 2)), [1, 2])


def test_wire_roundtrip_keeps_types_and_builds_only_builtins():
    value = {"a": (1, {2, 3}), 4: b"x", "c": [float("inf"), 1j, None, frozenset()]}
    assert wire.decode_value(wire.encode_value(value)) == value
    assert isinstance(wire.decode_value(wire.encode_value(object())), wire.Opaque)
    assert isinstance(wire.decode_value(b"[" * 100000), wire.Opaque)
    assert isinstance(wire.decode_value(b'{"$s": [[1]]}'), wire.Opaque)  # unhashable set member


def test_assert_conversion_forms():
    code = (
        "METADATA = {}\nimport math\n\ndef check(candidate):\n    '''doc'''\n    assert candidate(1, [2]) == (3,)\n"
        "    assert candidate('a')\n    assert not candidate(0)\n    assert candidate(2) is None\n"
        "    assert abs(candidate(1.5) - 0.5) < 1e-6\n    assert True\n"
    )
    cases = asserts.convert(code)
    assert [c.op for c in cases] == ["eq", "truthy", "falsy", "is", "close"]
    assert cases[0].args == [1, [2]] and cases[0].expected == (3,)
    assert asserts.convert("def check(candidate):\n    for i in range(3):\n        assert candidate(i)\n") is None
    assert asserts.convert("def check(candidate):\n    assert candidate(x) == 1\n") is None
