package org.medfl.coordinator.aggregation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Federated Averaging: the next global model is the global model plus the mean of the sites' updates,
 * each weighted by the number of examples the site trained on.
 *
 * <pre>
 * McMahan, Moore, Ramage, Hampson, Agüera y Arcas.
 * Communication-Efficient Learning of Deep Networks from Decentralized Data. AISTATS 2017, arXiv:1602.05629.
 * </pre>
 */
public class FedAvg implements Strategy {
  /** Registry name. */
  public static final String NAME = "fedavg";

  @Override
  public String name() {
    return NAME;
  }

  /** Samples {@code ceil(fraction * available)} sites, at least {@code min_sites}, reproducibly from the job's seed. */
  @Override
  public List<String> configureTrain(RoundContext round, List<String> availableSites) {
    List<String> sorted = new ArrayList<>(availableSites);
    Collections.sort(sorted);
    int wanted = (int) Math.ceil(round.spec().fraction() * sorted.size());
    wanted = Math.min(sorted.size(), Math.max(wanted, round.spec().minSites()));
    Collections.shuffle(sorted, new Random(round.spec().seed() * 1_000_003L + round.round()));
    List<String> chosen = new ArrayList<>(sorted.subList(0, wanted));
    Collections.sort(chosen);
    return chosen;
  }

  @Override
  public Accumulator startAggregation(RoundContext round, float[] globalModel) {
    return new DeltaMean(globalModel);
  }

  @Override
  public RoundMetrics aggregateEvaluate(RoundContext round, List<SiteReport> reports) {
    long examples = 0;
    double loss = 0;
    long valExamples = 0;
    double accuracy = 0;
    for (SiteReport report : reports) {
      examples += report.numExamples();
      loss += report.trainLoss() * report.numExamples();
      if (report.numValExamples() > 0 && !Double.isNaN(report.valAccuracy())) {
        valExamples += report.numValExamples();
        accuracy += report.valAccuracy() * report.numValExamples();
      }
    }
    return new RoundMetrics(examples,
        examples == 0 ? Double.NaN : loss / examples,
        valExamples == 0 ? Double.NaN : accuracy / valExamples);
  }

  /** Global model plus the example-weighted mean of deltas. */
  private static final class DeltaMean implements Accumulator {
    private final float[] global;
    private final WeightedMean.Running running;
    private int count;

    DeltaMean(float[] global) {
      this.global = global;
      this.running = new WeightedMean.Running(global.length);
    }

    @Override
    public synchronized void add(SiteUpdate update) {
      running.add(update.delta(), update.numExamples());
      count++;
    }

    @Override
    public synchronized int count() {
      return count;
    }

    @Override
    public synchronized float[] result() {
      float[] meanDelta = running.mean();
      if (meanDelta == null) {
        return null;
      }
      for (int i = 0; i < meanDelta.length; i++) {
        meanDelta[i] += global[i];
      }
      return meanDelta;
    }
  }
}
