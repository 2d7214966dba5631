package org.medfl.common.model;

import java.nio.FloatBuffer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A network's parameters as one flat float32 vector, the form that travels between sites and coordinator.
 * The order is DL4J's flattened order (layer by layer, weights then biases), identical for identical specs.
 */
public final class Parameters {

  private Parameters() {}

  /**
   * Copies the current parameters out of {@code net}.
   *
   * @param reuseOrNull filled and returned when its length matches, so a round loop allocates nothing;
   *     otherwise a new array is returned
   */
  public static float[] copyOut(MultiLayerNetwork net, float[] reuseOrNull) {
    return copyOut((Model) net, reuseOrNull);
  }

  /** As {@link #copyOut(MultiLayerNetwork, float[])}, for either kind of network. */
  public static float[] copyOut(Network net, float[] reuseOrNull) {
    return copyOut(net.dl4j(), reuseOrNull);
  }

  /** As {@link #copyOut(MultiLayerNetwork, float[])}, for any DL4J model, e.g. a ComputationGraph. */
  public static float[] copyOut(Model net, float[] reuseOrNull) {
    INDArray params = net.params(); // a live view: callers must never keep it
    long n = params.length();
    float[] out = reuseOrNull != null && reuseOrNull.length == n ? reuseOrNull : new float[Math.toIntExact(n)];
    FloatBuffer host = hostView(params);
    if (host != null) {
      host.get(out);
    } else {
      System.arraycopy(params.toFloatVector(), 0, out, 0, out.length);
    }
    return out;
  }

  /**
   * Overwrites every parameter of {@code net} with {@code values}.
   *
   * @throws IllegalArgumentException if {@code values} does not have exactly the network's parameter count
   */
  public static void copyIn(MultiLayerNetwork net, float[] values) {
    copyIn((Model) net, values);
  }

  /** As {@link #copyIn(MultiLayerNetwork, float[])}, for either kind of network. */
  public static void copyIn(Network net, float[] values) {
    copyIn(net.dl4j(), values);
  }

  /** As {@link #copyIn(MultiLayerNetwork, float[])}, for any DL4J model, e.g. a ComputationGraph. */
  public static void copyIn(Model net, float[] values) {
    INDArray params = net.params();
    if (values.length != params.length()) {
      throw new IllegalArgumentException("model expects " + params.length() + " parameters, got " + values.length);
    }
    FloatBuffer host = hostView(params);
    if (host != null) {
      host.put(values);
    } else {
      params.assign(Nd4j.createFromArray(values).reshape(params.shape()));
    }
  }

  /**
   * The parameters' own memory as a FloatBuffer positioned at the first parameter, or null where that is not safe:
   * a device backend (host memory may be stale) or a non-contiguous or non-float view.
   */
  private static FloatBuffer hostView(INDArray params) {
    if (params.dataType() != DataType.FLOAT || params.elementWiseStride() != 1 || !isCpuBackend()) {
      return null;
    }
    // Only the plain case: the network's own flat buffer, starting at its first element.
    if (params.offset() != 0 || params.data().offset() != 0) {
      return null;
    }
    FloatBuffer all = params.data().asNioFloat();
    if (params.length() > all.capacity()) {
      return null;
    }
    all.limit((int) params.length());
    return all;
  }

  private static boolean isCpuBackend() {
    return "CPU".equalsIgnoreCase(Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend"));
  }
}
