package org.medfl.common.model;

import java.util.List;

/** The architectures a job may name; the single registry that JOB.yaml's 'model.name' is checked against. */
public final class ModelZoo {

  /** McMahan et al.'s CNN (arXiv 1602.05629): two 5x5 conv/pool blocks, dense 512, softmax. */
  public static final String CNN_FEDAVG = "cnn-fedavg";

  private static final List<String> NAMES = List.of(CNN_FEDAVG);

  private ModelZoo() {}

  /** Model names a job may use, in a stable order. */
  public static List<String> names() {
    return NAMES;
  }
}
