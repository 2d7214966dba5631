package org.medfl.common.job;

import java.util.List;
import java.util.Objects;

/**
 * The local optimiser each site runs between two global rounds.
 *
 * @param name one of {@link #NAMES}: "sgd", "adam", "nesterovs" (SGD with Nesterov momentum 0.9) or "momentum"
 *     (SGD with classical momentum 0.9, as PyTorch's {@code SGD(momentum=0.9)})
 * @param learningRate step size, in (0, 10]
 */
public record OptimizerSpec(String name, double learningRate) {

  /** Optimiser names a JOB.yaml may use. */
  public static final List<String> NAMES = List.of("sgd", "adam", "nesterovs", "momentum");

  public OptimizerSpec {
    Objects.requireNonNull(name, "name");
    if (!NAMES.contains(name)) {
      throw JobSpecException.key("optimizer.name",
          "must be one of " + String.join(", ", NAMES) + ", got '" + name + "'");
    }
    if (!(learningRate > 0 && learningRate <= 10)) {
      throw JobSpecException.key("optimizer.learning_rate",
          "must be greater than 0 and at most 10, got " + learningRate);
    }
  }

  /** Adam with learning rate 0.001, the default of JOB.yaml. */
  public static OptimizerSpec defaults() {
    return new OptimizerSpec("adam", 0.001);
  }
}
