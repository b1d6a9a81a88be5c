package dev.cove.api.jobs;

import java.util.List;

public record JobList(List<JobInfo> jobs) {
}
