package org.medfl.coordinator.aggregation;

import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import org.medfl.common.job.DpSpec;
import org.medfl.common.privacy.GaussianNoise;
import org.medfl.common.privacy.L2Clip;

/**
 * Wraps any strategy with DP-FedAvg's aggregation: every update is clipped to L2 norm {@code clip}, the clipped updates
 * are summed with equal weights, Gaussian noise of standard deviation {@code noise_multiplier * clip} is added to the
 * sum (central mode, here; distributed mode, by the sites), and the sum is divided by the number of updates.
 *
 * <p>Equal weights because an example-weighted mean's sensitivity depends on the sites' counts, which would make the
 * noise calibration wrong. In central mode the coordinator clips again whatever arrives, so a site that skipped its
 * own clipping cannot raise the sensitivity; in distributed mode updates arrive already noised and cannot be
 * re-clipped meaningfully, so the sites are trusted to clip.
 *
 * <pre>
 * McMahan, Ramage, Talwar, Zhang. Learning Differentially Private Recurrent Language Models. ICLR 2018,
 * arXiv:1710.06963.
 * </pre>
 */
public final class DifferentialPrivacy implements Strategy {
  private final Strategy inner;
  private final DpSpec dp;
  private final Random random;

  /**
   * @param inner chooses sites and aggregates metrics; its own update aggregation is replaced
   * @param random noise source; a {@link SecureRandom} in production
   */
  public DifferentialPrivacy(Strategy inner, DpSpec dp, Random random) {
    this.inner = inner;
    this.dp = dp;
    this.random = random;
  }

  /** Wraps {@code inner} with a SecureRandom noise source. */
  public DifferentialPrivacy(Strategy inner, DpSpec dp) {
    this(inner, dp, new SecureRandom());
  }

  @Override
  public String name() {
    return inner.name() + "+dp-" + dp.mode();
  }

  @Override
  public List<String> configureTrain(RoundContext round, List<String> availableSites) {
    return inner.configureTrain(round, availableSites);
  }

  @Override
  public Accumulator startAggregation(RoundContext round, float[] globalModel) {
    boolean central = dp.mode().equals(GaussianNoise.CENTRAL);
    double sigma = GaussianNoise.coordinatorSigma(dp.noiseMultiplier(), dp.clip(), dp.mode());
    return new Accumulator() {
      private final double[] sum = new double[globalModel.length];
      private int count;

      @Override
      public synchronized void add(SiteUpdate update) {
        float[] delta = update.delta();
        if (central) {
          L2Clip.clipInPlace(delta, dp.clip());
        }
        for (int i = 0; i < sum.length; i++) {
          sum[i] += delta[i];
        }
        count++;
      }

      @Override
      public synchronized int count() {
        return count;
      }

      @Override
      public synchronized float[] result() {
        if (count == 0) {
          return null;
        }
        float[] next = new float[sum.length];
        for (int i = 0; i < sum.length; i++) {
          double noise = sigma == 0 ? 0 : sigma * random.nextGaussian();
          next[i] = (float) (globalModel[i] + (sum[i] + noise) / count);
        }
        return next;
      }
    };
  }

  @Override
  public RoundMetrics aggregateEvaluate(RoundContext round, List<SiteReport> reports) {
    return inner.aggregateEvaluate(round, reports);
  }
}
