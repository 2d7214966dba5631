package org.medfl.coordinator.aggregation;

/**
 * A round's metrics over the sites that reported, each weighted by its example count.
 *
 * @param trainLoss weighted by training examples
 * @param valAccuracy weighted by validation examples; NaN when no site had a validation split
 */
public record RoundMetrics(long numExamples, double trainLoss, double valAccuracy) {}
