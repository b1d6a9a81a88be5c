package dev.cove.api.files;

/** What a copy or move does when the target name exists. */
public enum ConflictPolicy {
    /** Refuse: the call fails with CONFLICT (checked up front), or the job fails if one appears later. */
    FAIL,
    /** Leave the existing file and skip this one. */
    SKIP,
    /** Replace the existing file (atomically, by rename). */
    OVERWRITE,
    /** Keep both: the new one gets a free name, "name (2).ext". */
    KEEP_BOTH
}
