package dev.cove.api.locations;

/** A new location and the job that indexes it (follow it with jobs.get or JobUpdate events). */
public record LocationAdded(LocationInfo location, long jobId) {
}
