package org.medfl.common.model;

import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * SGD with classical (heavy-ball) momentum as PyTorch's {@code torch.optim.SGD(momentum=m)} does it:
 * {@code v = m * v + g; w -= lr * v}, with v starting at zero. DL4J ships only Nesterov momentum, and published
 * federated recipes (NIID-Bench among them) are written for this one. The fields are public bean properties so that
 * DL4J's JSON serialisation of a network configuration round-trips it.
 */
public final class HeavyBallMomentum implements IUpdater {

  private static final long serialVersionUID = 1L;
  private static final String VELOCITY = "V";

  private double learningRate;
  private double momentum;

  /** For JSON deserialisation only. */
  public HeavyBallMomentum() {
    this(0.01, 0.9);
  }

  /** An updater with step {@code learningRate} and momentum {@code momentum} in [0, 1). */
  public HeavyBallMomentum(double learningRate, double momentum) {
    this.learningRate = learningRate;
    this.momentum = momentum;
  }

  public double getLearningRate() {
    return learningRate;
  }

  public void setLearningRate(double learningRate) {
    this.learningRate = learningRate;
  }

  public double getMomentum() {
    return momentum;
  }

  public void setMomentum(double momentum) {
    this.momentum = momentum;
  }

  @Override
  public long stateSize(long numParams) {
    return numParams;
  }

  @Override
  public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
    var updater = new Updater(this);
    updater.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
    return updater;
  }

  @Override
  public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
    var updater = new Updater(this);
    updater.setState(updaterState, initializeStateArrays);
    return updater;
  }

  @Override
  public HeavyBallMomentum clone() {
    return new HeavyBallMomentum(learningRate, momentum);
  }

  @Override
  public double getLearningRate(int iteration, int epoch) {
    return learningRate;
  }

  @Override
  public boolean hasLearningRate() {
    return true;
  }

  @Override
  public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
    if (lrSchedule != null) {
      throw new UnsupportedOperationException("learning-rate schedules are not supported by " + this);
    }
    this.learningRate = lr;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HeavyBallMomentum other && other.learningRate == learningRate && other.momentum == momentum;
  }

  @Override
  public int hashCode() {
    return Objects.hash(learningRate, momentum);
  }

  @Override
  public String toString() {
    return "HeavyBallMomentum(lr=" + learningRate + ", momentum=" + momentum + ")";
  }

  /** The velocity for one block of parameters, kept in DL4J's updater state view. */
  private static final class Updater implements GradientUpdater<HeavyBallMomentum> {
    private final HeavyBallMomentum config;
    private INDArray velocity;

    Updater(HeavyBallMomentum config) {
      this.config = config;
    }

    @Override
    public HeavyBallMomentum getConfig() {
      return config;
    }

    @Override
    public void setState(Map<String, INDArray> state, boolean initialize) {
      velocity = state.get(VELOCITY);
      if (velocity == null) {
        throw new IllegalStateException("no velocity '" + VELOCITY + "' in updater state " + state.keySet());
      }
      if (initialize) {
        velocity.assign(0);
      }
    }

    @Override
    public Map<String, INDArray> getState() {
      return Map.of(VELOCITY, velocity);
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
      if (initialize) {
        viewArray.assign(0);
      }
      velocity = viewArray.reshape(gradientOrder, gradientShape);
    }

    /** Replaces {@code gradient} by the step DL4J subtracts from the parameters: lr * (m * v + g). */
    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
      velocity.muli(config.momentum).addi(gradient);
      gradient.assign(velocity).muli(config.learningRate);
    }
  }
}
