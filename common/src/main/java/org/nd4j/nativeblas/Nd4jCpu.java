package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * Compatibility shim so that DL4J 1.0.0-M2.1 finds the class it asks about before using oneDNN.
 *
 * <p>M2.1's {@code BaseMKLDNNHelper.mklDnnEnabled()} reflects on {@code org.nd4j.nativeblas.Nd4jCpu$Environment},
 * a class that the M2.1 nd4j-native jars renamed to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment}.
 * Without this shim the lookup fails and every conv and pool layer silently falls back to DL4J's slow built-in
 * im2col path. See {@link org.medfl.common.model.NativeAcceleration} for the whole story.
 */
public final class Nd4jCpu {

  private Nd4jCpu() {}

  /** Answers DL4J's one question: does the loaded libnd4j build use oneDNN? */
  public static final class Environment {

    private static final String REAL_ENVIRONMENT = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";
    private static final Environment INSTANCE = new Environment();

    private Environment() {}

    /** The single instance, as DL4J expects from the old native binding. */
    public static Environment getInstance() {
      return INSTANCE;
    }

    /**
     * True when the native library in use was built with oneDNN and has it switched on. Asks the renamed
     * native binding; false on other backends (CUDA) or when that binding cannot be reached.
     */
    public boolean isUseMKLDNN() {
      try {
        Class<?> real = Class.forName(REAL_ENVIRONMENT);
        Object env = real.getMethod("getInstance").invoke(null);
        Method useOneDnn = real.getMethod("isUseONEDNN");
        return (Boolean) useOneDnn.invoke(env);
      } catch (ReflectiveOperationException | LinkageError e) {
        return false;
      }
    }
  }
}
