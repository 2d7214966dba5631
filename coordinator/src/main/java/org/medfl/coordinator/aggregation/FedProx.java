package org.medfl.coordinator.aggregation;

/**
 * FedProx: FedAvg's aggregation, with each site adding the proximal term mu/2 * ||w - w_global||^2 to its local loss
 * (mu travels to the sites in the job spec as {@code proximal_mu}), which keeps heterogeneous sites from drifting far
 * from the global model.
 *
 * <pre>
 * Li, Sahu, Zaheer, Sanjabi, Talwalkar, Smith.
 * Federated Optimization in Heterogeneous Networks. MLSys 2020, arXiv:1812.06127.
 * </pre>
 */
public final class FedProx extends FedAvg {
  /** Registry name. */
  public static final String NAME = "fedprox";

  @Override
  public String name() {
    return NAME;
  }
}
