package org.medfl.common.job;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A federated training job as written in JOB.yaml: what to train, on which labels, for how long
 * and at which sites. Instances are always valid; the constructor rejects what {@link #parse}
 * would reject, with the same messages.
 *
 * @param name job name, {@code [a-z0-9][a-z0-9-_.]*}, at most 64 characters
 * @param model architecture and input shape
 * @param classes the labels, at least 2 and distinct; sites keep images in folders of these names
 * @param rounds number of global rounds, 1..10000
 * @param minSites fewest site updates a round needs to count, at least 1
 * @param fraction share of the eligible sites asked to train each round, in (0, 1]
 * @param localEpochs passes over local data per round, 1..1000
 * @param batchSize minibatch size, 1..4096
 * @param optimizer local optimiser
 * @param roundDeadlineSeconds how long a round waits for updates, 1..86400 seconds
 * @param seed seeds model initialisation, data splits and shuffles
 * @param strategy aggregation algorithm; only "fedavg" for now
 * @param validationFraction share of each site's data kept for validation, in [0, 0.9]
 * @param sites enrolled site names that take part; empty means every site of the consortium
 * @param proximalMu FedProx's mu (strategy fedprox): the sites add mu/2 * ||w - w_global||^2 to their loss
 * @param classBalance "none", "weights" (class weights in the loss, computed locally) or "oversample"
 * @param frames for multi-frame DICOM: "middle" (one image per file) or "all" (one image per frame)
 * @param preprocessing resize, windowing and normalisation at the sites
 * @param augmentation random changes to training images
 * @param evaluation how often the sites evaluate the global model
 * @param secureAggregation secure aggregation settings, or null when off
 * @param dp differential privacy settings, or null when off
 * @param maxRoundAttempts how many times in a row a round may fail (fewer than min_sites usable updates) before the
 *     job fails
 * @param maxUpdateNorm largest L2 norm of a site's update the coordinator accepts; 0 (the default) derives it from
 *     the job: the DP clip (plus the sites' own noise in distributed mode) with DP, a generous bound without
 */
public record JobSpec(
    String name,
    ModelSpec model,
    List<String> classes,
    int rounds,
    int minSites,
    double fraction,
    int localEpochs,
    int batchSize,
    OptimizerSpec optimizer,
    int roundDeadlineSeconds,
    long seed,
    String strategy,
    double validationFraction,
    List<String> sites,
    double proximalMu,
    String classBalance,
    String frames,
    PreprocessingSpec preprocessing,
    AugmentationSpec augmentation,
    EvaluationSpec evaluation,
    SecureAggregationSpec secureAggregation,
    DpSpec dp,
    int maxRoundAttempts,
    double maxUpdateNorm) {

  /** Strategies a JOB.yaml may name. */
  public static final List<String> STRATEGIES = List.of("fedavg", "fedprox");
  /** Ways to counter class imbalance. */
  public static final List<String> CLASS_BALANCE = List.of("none", "weights", "oversample");
  /** Multi-frame DICOM handling. */
  public static final List<String> FRAMES = List.of("middle", "all");

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9\\-_.]{0,63}");

  public JobSpec {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(optimizer, "optimizer");
    if (name == null) {
      throw missing("name");
    }
    if (!NAME.matcher(name).matches()) {
      throw JobSpecException.key("name", "must match [a-z0-9][a-z0-9-_.]* and be at most 64 characters, got '"
          + name + "'");
    }
    if (classes == null) {
      throw missing("classes");
    }
    classes = List.copyOf(labels("classes", classes));
    if (classes.size() < 2) {
      throw JobSpecException.key("classes", "must list at least 2 labels, got " + classes);
    }
    sites = List.copyOf(labels("sites", sites == null ? List.of() : sites));
    between("rounds", rounds, 1, 10_000);
    between("min_sites", minSites, 1, 100_000);
    if (!sites.isEmpty() && minSites > sites.size()) {
      throw JobSpecException.key("min_sites", "is " + minSites + " but 'sites' lists only "
          + sites.size() + " sites");
    }
    if (!(fraction > 0 && fraction <= 1)) {
      throw JobSpecException.key("fraction", "must be greater than 0 and at most 1, got " + fraction);
    }
    between("local_epochs", localEpochs, 1, 1000);
    between("batch_size", batchSize, 1, 4096);
    between("round_deadline_seconds", roundDeadlineSeconds, 1, 86_400);
    between("max_round_attempts", maxRoundAttempts, 1, 1000);
    if (strategy == null) {
      throw missing("strategy");
    }
    if (!STRATEGIES.contains(strategy)) {
      throw JobSpecException.key("strategy",
          "must be one of " + String.join(", ", STRATEGIES) + ", got '" + strategy + "'");
    }
    if (!(validationFraction >= 0 && validationFraction <= 0.9)) {
      throw JobSpecException.key("validation_fraction", "must be between 0 and 0.9, got " + validationFraction);
    }
    if (!(proximalMu >= 0) || Double.isInfinite(proximalMu)) {
      throw JobSpecException.key("proximal_mu", "must be 0 or a positive number, got " + proximalMu);
    }
    if (strategy.equals("fedprox") && proximalMu == 0) {
      throw JobSpecException.key("proximal_mu", "must be positive with strategy fedprox (e.g. 0.01)");
    }
    if (!strategy.equals("fedprox") && proximalMu != 0) {
      throw JobSpecException.key("proximal_mu", "is only used with strategy fedprox, but strategy is '"
          + strategy + "'");
    }
    oneOf("class_balance", classBalance, CLASS_BALANCE);
    oneOf("frames", frames, FRAMES);
    Objects.requireNonNull(preprocessing, "preprocessing");
    Objects.requireNonNull(augmentation, "augmentation");
    Objects.requireNonNull(evaluation, "evaluation");
    if (secureAggregation != null && !sites.isEmpty() && secureAggregation.threshold() > sites.size()) {
      throw JobSpecException.key("secure_aggregation.threshold", "is " + secureAggregation.threshold()
          + " but 'sites' lists only " + sites.size() + " sites");
    }
    if (secureAggregation != null && dp != null && dp.mode().equals("central")) {
      throw JobSpecException.key("dp.mode", "is central, which needs the coordinator to clip each site's update; "
          + "with secure_aggregation it only sees the sum: use mode distributed");
    }
    if (!(maxUpdateNorm >= 0) || Double.isInfinite(maxUpdateNorm)) {
      throw JobSpecException.key("max_update_norm", "must be 0 (derived from the job) or a positive number, got "
          + maxUpdateNorm);
    }
    if (secureAggregation != null && secureAggregation.threshold() > minSites) {
      throw JobSpecException.key("secure_aggregation.threshold", "is " + secureAggregation.threshold()
          + ", more than min_sites (" + minSites + "); a round that reaches quorum could not be unmasked");
    }
  }

  /** A job whose update norm bound is derived from the job (max_update_norm 0). */
  public JobSpec(String name, ModelSpec model, List<String> classes, int rounds, int minSites, double fraction,
      int localEpochs, int batchSize, OptimizerSpec optimizer, int roundDeadlineSeconds, long seed, String strategy,
      double validationFraction, List<String> sites, double proximalMu, String classBalance, String frames,
      PreprocessingSpec preprocessing, AugmentationSpec augmentation, EvaluationSpec evaluation,
      SecureAggregationSpec secureAggregation, DpSpec dp, int maxRoundAttempts) {
    this(name, model, classes, rounds, minSites, fraction, localEpochs, batchSize, optimizer, roundDeadlineSeconds,
        seed, strategy, validationFraction, sites, proximalMu, classBalance, frames, preprocessing, augmentation,
        evaluation, secureAggregation, dp, maxRoundAttempts, 0);
  }

  /** A job with every option of the later sections at its default. */
  public JobSpec(String name, ModelSpec model, List<String> classes, int rounds, int minSites, double fraction,
      int localEpochs, int batchSize, OptimizerSpec optimizer, int roundDeadlineSeconds, long seed, String strategy,
      double validationFraction, List<String> sites) {
    this(name, model, classes, rounds, minSites, fraction, localEpochs, batchSize, optimizer, roundDeadlineSeconds,
        seed, strategy, validationFraction, sites, 0, "none", "middle", PreprocessingSpec.defaults(),
        AugmentationSpec.none(), EvaluationSpec.defaults(), null, null, JobSpecYaml.DEFAULT_MAX_ROUND_ATTEMPTS);
  }

  static void oneOf(String key, String value, List<String> allowed) {
    if (value == null || !allowed.contains(value)) {
      throw JobSpecException.key(key, "must be one of " + String.join(", ", allowed) + ", got '" + value + "'");
    }
  }

  /**
   * Reads a JOB.yaml document; absent optional keys take their documented defaults.
   *
   * @throws JobSpecException naming the offending key, or the line of a YAML syntax error
   */
  public static JobSpec parse(String yaml) {
    return JobSpecYaml.parse(yaml);
  }

  /** This job as a JOB.yaml document with every key spelled out; {@link #parse} gives it back. */
  public String toYaml() {
    return JobSpecYaml.write(this);
  }

  /** A small job on the given labels with every default: cnn-fedavg on 28x28 grayscale, 5 rounds. */
  public static JobSpec demo(List<String> classes) {
    return JobSpecYaml.withDefaults("demo", ModelSpec.of("cnn-fedavg"), classes);
  }

  /** This job with another seed; handy for tests and repeated experiments. */
  public JobSpec withSeed(long newSeed) {
    return new JobSpec(name, model, classes, rounds, minSites, fraction, localEpochs, batchSize, optimizer,
        roundDeadlineSeconds, newSeed, strategy, validationFraction, sites, proximalMu, classBalance, frames,
        preprocessing, augmentation, evaluation, secureAggregation, dp, maxRoundAttempts, maxUpdateNorm);
  }

  static JobSpecException missing(String key) {
    return new JobSpecException("JOB.yaml: missing required key '" + key + "'");
  }

  private static void between(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw JobSpecException.key(key, "must be between " + min + " and " + max + ", got " + value);
    }
  }

  private static List<String> labels(String key, List<String> values) {
    var seen = new HashSet<String>();
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i);
      // Labels become folder names, so anything that is not a plain file name would escape DATA/.
      if (v == null || v.isBlank() || v.equals(".") || v.equals("..") || v.contains("/") || v.contains("\\")) {
        throw JobSpecException.key(key + "[" + i + "]", "must be a plain, non-empty name, got '" + v + "'");
      }
      if (!seen.add(v)) {
        throw JobSpecException.key(key, "lists '" + v + "' twice");
      }
    }
    return values;
  }
}
