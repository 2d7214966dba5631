package org.medfl.common.model;

import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one place that switches DL4J's conv and pool layers onto oneDNN.
 *
 * <p>DL4J 1.0.0-M2.1 uses oneDNN for convolution and pooling only when all of these hold:
 * <ol>
 *   <li>the system property {@value #HELPERS_PROPERTY} is {@code false}; DL4J reads it each time a layer is
 *       built and treats an absent property as {@code true}, i.e. helpers off;</li>
 *   <li>{@code Nd4j.getEnvironment().helpersAllowed()} is true (its default);</li>
 *   <li>the class {@code org.nd4j.nativeblas.Nd4jCpu$Environment} exists with a static {@code getInstance()} and
 *       an {@code isUseMKLDNN()} that returns true. M2.1's own jars no longer contain that class (it moved to
 *       {@code org.nd4j.linalg.cpu.nativecpu.bindings}), so this module ships a small shim under the old name that
 *       asks the real binding.</li>
 * </ol>
 * Miss any one and training still works, only several times slower, with no warning. The native library must also
 * be a oneDNN build (the parent pom picks {@code linux-x86_64-onednn-avx2}).
 */
public final class NativeAcceleration {

  /** DL4J's switch for layer helpers (cuDNN, oneDNN); "true" (the default when absent) disables them. */
  public static final String HELPERS_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";

  private NativeAcceleration() {}

  /**
   * Lets DL4J use oneDNN helpers for the layers built after this call. Call it before building a network;
   * calling it again does nothing. An operator's explicit {@code -D}{@value #HELPERS_PROPERTY}{@code =true}
   * wins, so acceleration can be switched off to rule it out when debugging.
   */
  public static void enable() {
    if (System.getProperty(HELPERS_PROPERTY) == null) {
      System.setProperty(HELPERS_PROPERTY, "false");
    }
  }

  /** Whether conv and pool layers built now would use oneDNN; initialises ND4J if it was not yet. */
  public static boolean active() {
    return !Boolean.parseBoolean(System.getProperty(HELPERS_PROPERTY, "true"))
        && Nd4j.getEnvironment().helpersAllowed()
        && org.nd4j.nativeblas.Nd4jCpu.Environment.getInstance().isUseMKLDNN();
  }

  /** One line for logs and status output, e.g. "nd4j-native CPU, oneDNN conv/pool helpers on, 2 threads". */
  public static String describe() {
    Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
    String backend = env.getProperty("backend", "unknown");
    String helpers = active() ? "on" : "off";
    String name = "CPU".equalsIgnoreCase(backend) ? "nd4j-native CPU" : "nd4j " + backend;
    return name + ", oneDNN conv/pool helpers " + helpers + ", " + Nd4j.getEnvironment().maxThreads() + " threads";
  }
}
