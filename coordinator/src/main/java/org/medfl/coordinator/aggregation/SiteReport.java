package org.medfl.coordinator.aggregation;

/** What a site reported with its update, without the vector itself. */
public record SiteReport(String site, long numExamples, double trainLoss, double valAccuracy,
    long numValExamples, double trainSeconds, String sha256) {}
