package org.medfl.deploy.cli;

import java.util.ArrayList;
import java.util.List;
import org.medfl.common.job.ModelSpec;
import picocli.CommandLine.Option;

/**
 * The simulated federation's size, data and model, shared by {@code fl simulate} and {@code fl train-central} so the
 * baseline sees exactly the same images with the same budget.
 */
final class FederationDataOptions {
  @Option(names = "--sites", defaultValue = "3", paramLabel = "N", description = "Simulated hospitals (default: ${DEFAULT-VALUE}).")
  int sites;

  @Option(names = "--rounds", defaultValue = "5", paramLabel = "R", description = "Federated rounds (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--local-epochs", defaultValue = "1", paramLabel = "E",
      description = "Local epochs per round (default: ${DEFAULT-VALUE}).")
  int localEpochs;

  @Option(names = "--dataset", defaultValue = "phantoms", paramLabel = "NAME|DIR",
      description = "phantoms (synthetic CT slices as DICOM, classes normal/nodule), demo (synthetic PNG shapes), "
          + "fashion-mnist (Debian's dataset-fashion-mnist package) or a folder of <label>/<image> files "
          + "(default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(names = "--partition", defaultValue = "iid", paramLabel = "SPEC",
      description = "How a real data set is split across sites: iid, dirichlet:ALPHA, shards:K (each site holds K "
          + "labels) or file:PATH (one line of example indices per site, e.g. a published benchmark's draw) "
          + "(default: ${DEFAULT-VALUE}).")
  String partition;

  @Option(names = "--images-per-site", paramLabel = "N",
      description = "Cap on each site's images (default: 400 phantoms, 600 demo images; all of a real data set's "
          + "share).")
  Integer imagesPerSite;

  @Option(names = "--model", defaultValue = "cnn-fedavg", paramLabel = "NAME",
      description = "Model zoo name (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
      description = "Seed for data and training (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Local minibatch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--optimizer", defaultValue = "adam", paramLabel = "NAME",
      description = "Local optimiser: adam, sgd, nesterovs (Nesterov momentum 0.9) or momentum (classical "
          + "momentum 0.9, as PyTorch's SGD) (default: ${DEFAULT-VALUE}).")
  String optimizer;

  @Option(names = "--learning-rate", defaultValue = "0.001", paramLabel = "LR", description = "Local learning rate (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--l2", defaultValue = "0", paramLabel = "W", description = "Weight decay of the weights (default: ${DEFAULT-VALUE}).")
  double l2;

  @Option(names = "--l2-biases", defaultValue = "0", paramLabel = "W",
      description = "Weight decay of the biases; set it to --l2's value to decay every parameter as PyTorch's "
          + "weight_decay does (default: ${DEFAULT-VALUE}).")
  double l2Biases;

  @Option(names = "--weight-init", defaultValue = "he", paramLabel = "he|pytorch",
      description = "Initial weights: he (DL4J's He-normal, Xavier output layer, zero biases) or pytorch "
          + "(PyTorch's default: weights and biases uniform in +-1/sqrt(fan_in)) (default: ${DEFAULT-VALUE}).")
  String weightInit;

  @Option(names = "--validation-fraction", defaultValue = "0.2", paramLabel = "F",
      description = "Share of each site's images held out for evaluation (default: ${DEFAULT-VALUE}).")
  double validationFraction;

  /** The local training recipe these flags describe. */
  org.medfl.deploy.simulate.Simulation.Recipe recipe() {
    return new org.medfl.deploy.simulate.Simulation.Recipe(batchSize, optimizer, learningRate, l2,
        validationFraction, weightInit, l2Biases);
  }

  /** Rejects values no federation can run with, naming the flag. */
  void validate() {
    if (sites < 1 || sites > 64) {
      throw new CliException(ExitCodes.USAGE, "--sites must be between 1 and 64, got " + sites);
    }
    if (rounds < 1 || rounds > 1000) {
      throw new CliException(ExitCodes.USAGE, "--rounds must be between 1 and 1000, got " + rounds);
    }
    if (localEpochs < 1) {
      throw new CliException(ExitCodes.USAGE, "--local-epochs must be at least 1, got " + localEpochs);
    }
    if (imagesPerSite != null && imagesPerSite < 20) {
      throw new CliException(ExitCodes.USAGE, "--images-per-site must be at least 20, got " + imagesPerSite);
    }
    if (!(l2 >= 0) || Double.isInfinite(l2)) {
      throw new CliException(ExitCodes.USAGE, "--l2 must be 0 or a positive number, got " + l2);
    }
    if (!(l2Biases >= 0) || Double.isInfinite(l2Biases)) {
      throw new CliException(ExitCodes.USAGE, "--l2-biases must be 0 or a positive number, got " + l2Biases);
    }
    if (!ModelSpec.WEIGHT_INITS.contains(weightInit)) {
      throw new CliException(ExitCodes.USAGE, "--weight-init must be " + String.join(" or ", ModelSpec.WEIGHT_INITS)
          + ", got '" + weightInit + "'");
    }
  }

  /** hospital-1 ... hospital-N. */
  List<String> siteNames() {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= sites; i++) {
      names.add("hospital-" + i);
    }
    return names;
  }
}
