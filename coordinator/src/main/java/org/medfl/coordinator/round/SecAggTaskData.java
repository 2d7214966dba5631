package org.medfl.coordinator.round;

import java.util.List;

/**
 * The secure-aggregation part of a task: the stage a site is asked to take and that stage's inputs.
 *
 * @param items serialized stage inputs (advertisements, the shares encrypted to this site, or the unmask request)
 * @param certificates PEM certificates of the advertising sites (SHARE_KEYS only)
 */
public record SecAggTaskData(SecureRound.Stage stage, int sites, int threshold, double clip, long maxWeight,
    List<byte[]> items, List<String> certificates) {}
