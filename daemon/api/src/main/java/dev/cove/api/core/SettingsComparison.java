package dev.cove.api.core;

import java.util.List;

/** What {@link CompareSettings} found: the options whose given value is not the running daemon's. */
public record SettingsComparison(List<Difference> differing) {
    /**
     * @param option  the option's name without dashes ({@code idle-timeout})
     * @param running the running daemon's value, in the options' syntax ({@code 0}, {@code 10m}, {@code info})
     * @param given   the value asked for, in the same syntax
     */
    public record Difference(String option, String running, String given) {
    }
}
