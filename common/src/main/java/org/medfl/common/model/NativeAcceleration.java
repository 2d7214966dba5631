package org.medfl.common.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

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
 * be a oneDNN build.
 *
 * <p>Two oneDNN builds ship: {@code linux-x86_64-onednn-avx2} and {@code linux-x86_64-onednn-avx512}. JavaCPP loads
 * the AVX2 one unless {@value #BUILD_PROPERTY} names the other, and ND4J exits the JVM when a build needs instructions
 * the CPU lacks; so {@link #enable} names the AVX-512 build only on a CPU that has every AVX-512 subset it uses.
 */
public final class NativeAcceleration {

  /** DL4J's switch for layer helpers (cuDNN, oneDNN); "true" (the default when absent) disables them. */
  public static final String HELPERS_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";

  /** JavaCPP's choice among the native builds on the class path, e.g. {@code -onednn-avx2}; absent, the AVX2 one. */
  public static final String BUILD_PROPERTY = "org.bytedeco.javacpp.platform.extension";

  /** The value of {@value #BUILD_PROPERTY} that loads the AVX-512 oneDNN build. */
  static final String AVX512_BUILD = "-onednn-avx512";

  /** The AVX-512 subsets of Skylake-SP, Ice Lake, Zen 4 and later, which libnd4j's AVX-512 build is compiled for. */
  static final List<String> AVX512_FLAGS = List.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");

  private static final String AVX512_LIBRARY =
      "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64-onednn-avx512/libjnind4jcpu.so";

  private static volatile boolean buildChosen;

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
    // JavaCPP reads the property once, at its first load; set later (ND4J already in use) it changes nothing.
    // So no JavaCPP class may be touched here, or it would read the property before it is set; and the choice is
    // made once per JVM, since enable() runs again for every network built.
    if (!buildChosen) {
      buildChosen = true;
      boolean shipped = NativeAcceleration.class.getClassLoader().getResource(AVX512_LIBRARY) != null;
      String build = buildFor(cpuInfo(), shipped, System.getProperty(BUILD_PROPERTY));
      if (build != null) {
        System.setProperty(BUILD_PROPERTY, build);
      }
    }
  }

  /**
   * The native build to ask JavaCPP for, or null to leave its choice alone: the AVX-512 build when it is
   * {@code shipped}, no one chose already ({@code chosen} is the operator's {@value #BUILD_PROPERTY}), and the first
   * {@code flags} line of {@code cpuInfo} (Linux's /proc/cpuinfo) lists every one of {@link #AVX512_FLAGS}.
   */
  static String buildFor(String cpuInfo, boolean shipped, String chosen) {
    if (!shipped || chosen != null) {
      return null;
    }
    for (String line : cpuInfo.split("\n")) {
      if (line.startsWith("flags")) {
        String[] listed = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
        Set<String> flags = new HashSet<>(Arrays.asList(listed));
        return flags.containsAll(AVX512_FLAGS) ? AVX512_BUILD : null;
      }
    }
    return null;
  }

  private static String cpuInfo() {
    try {
      return Files.readString(Path.of("/proc/cpuinfo"));
    } catch (IOException | RuntimeException e) {
      return ""; // not Linux, or not readable: keep JavaCPP's default build, which runs everywhere
    }
  }

  /**
   * Makes the native operations that the calling thread starts from now on run on that thread alone: OpenMP, which
   * oneDNN's convolutions use, through the calling thread's own thread-count setting, and OpenBLAS (the dense
   * layers' matrix products) for the whole process, since OpenBLAS has one setting only. For code that keeps every
   * core busy with threads of its own ({@code SplitMinibatch}, or the sites of a simulation, which share one
   * process): two threads that each start two-thread operations contend for the same cores, and concurrent calls into
   * a multi-threaded OpenBLAS wait for each other.
   */
  public static void runOperationsOnCallingThread() {
    NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(1);
    if (Nd4j.factory().blas().getMaxThreads() != 1) {
      Nd4j.factory().blas().setMaxThreads(1);
    }
  }

  /**
   * Undoes {@link #runOperationsOnCallingThread}: the calling thread's operations, and OpenBLAS's, use ND4J's
   * thread count again (from {@code OMP_NUM_THREADS}, else the number of cores).
   */
  public static void runOperationsOnAllThreads() {
    int threads = Nd4j.getEnvironment().maxThreads();
    NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
    if (Nd4j.factory().blas().getMaxThreads() != threads) {
      Nd4j.factory().blas().setMaxThreads(threads);
    }
  }

  /** Whether conv and pool layers built now would use oneDNN; initialises ND4J if it was not yet. */
  public static boolean active() {
    return !Boolean.parseBoolean(System.getProperty(HELPERS_PROPERTY, "true"))
        && Nd4j.getEnvironment().helpersAllowed()
        && org.nd4j.nativeblas.Nd4jCpu.Environment.getInstance().isUseMKLDNN();
  }

  /**
   * One line for logs and status output, e.g. "nd4j-native CPU, oneDNN conv/pool helpers on, 2 threads, AVX-512
   * build".
   */
  public static String describe() {
    Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
    String backend = env.getProperty("backend", "unknown");
    String helpers = active() ? "on" : "off";
    boolean cpu = "CPU".equalsIgnoreCase(backend);
    String name = cpu ? "nd4j-native CPU" : "nd4j " + backend;
    String line = name + ", oneDNN conv/pool helpers " + helpers + ", " + Nd4j.getEnvironment().maxThreads()
        + " threads";
    return cpu ? line + ", " + buildName(NativeOpsHolder.getInstance().getDeviceNativeOps().binaryLevel()) : line;
  }

  /** libnd4j's binary level (ND4J's own numbering) as a name. */
  static String buildName(int binaryLevel) {
    return switch (binaryLevel) {
      case 3 -> "AVX-512 build";
      case 2 -> "AVX2 build";
      default -> "generic x86-64 build";
    };
  }
}
