"""The deep merge and diff (pure logic, the same rules as Java's StateMerge)."""
import unittest

import support  # noqa: F401  (puts the package on the path)

from cove import _merge


class MergeTest(unittest.TestCase):
    def test_nested_dicts_merge_lists_and_scalars_replace_none_deletes(self):
        state = {"a": {"b": 1, "c": [1, 2]}, "d": "x"}
        changed = _merge.apply(state, {"a": {"c": [3], "e": {"f": None, "g": 2}}, "d": None})
        self.assertTrue(changed)
        self.assertEqual(state, {"a": {"b": 1, "c": [3], "e": {"g": 2}}})
        self.assertFalse(_merge.apply(state, {"a": {"b": 1}, "zzz": None}), "no change, no write")

    def test_types_are_strict_as_after_json(self):
        state = {"n": 1}
        self.assertTrue(_merge.apply(state, {"n": True}))
        self.assertTrue(_merge.apply(state, {"n": 1.0}))
        self.assertTrue(_merge.apply(state, {"n": 1}))
        self.assertFalse(_merge.apply(state, {"n": 1}))

    def test_diff_is_the_smallest_patch_between_two_states(self):
        before = {"a": {"b": 1, "c": 2}, "d": [1], "e": "gone"}
        after = {"a": {"b": 1, "c": 3}, "d": [1], "f": {"g": True}}
        patch = _merge.diff(before, after)
        self.assertEqual(patch, {"a": {"c": 3}, "f": {"g": True}, "e": None})
        self.assertEqual(_merge.merged(before, patch), after)
        self.assertEqual(_merge.diff(after, after), {})

    def test_bad_values_are_refused_naming_where(self):
        with self.assertRaisesRegex(ValueError, r"state\.a\.b is a set"):
            _merge.normalize({"a": {"b": {1}}}, "state")
        with self.assertRaisesRegex(ValueError, "finite"):
            _merge.normalize({"x": float("inf")}, "state")
        with self.assertRaisesRegex(ValueError, "keys must be strings"):
            _merge.normalize({1: 2}, "state")
        self.assertEqual(_merge.normalize({"t": (1, 2)}, "s"), {"t": [1, 2]})


if __name__ == "__main__":
    unittest.main()
