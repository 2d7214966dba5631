package org.medfl.client.training;

/**
 * What one round of local training produced; only {@code delta} and the counts ever leave the site.
 *
 * @param delta local parameters minus the global ones they started from; the trainer reuses this array on its
 *     next call, so copy it to keep it longer
 * @param numExamples training images used, the weight of this update in FedAvg
 * @param trainLoss mean training loss over the last local epoch
 * @param valAccuracy accuracy of the trained local model on the site's validation split; NaN if it has none
 * @param numValExamples images in the validation split
 * @param seconds wall-clock time of the round's training and validation
 */
public record TrainResult(float[] delta, long numExamples, double trainLoss, double valAccuracy,
    long numValExamples, double seconds) {}
