package org.medfl.common.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.medfl.common.job.JobSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NativeAccelerationTest {

  private static final JobSpec SPEC = JobSpec.demo(List.of("a", "b", "c", "d"));

  @Test
  void convAndPoolLayersGetOneDnnHelpers() {
    // given
    NativeAcceleration.enable();

    // when
    MultiLayerNetwork net = ModelZoo.build(SPEC);

    // then
    String described = NativeAcceleration.describe();
    assertTrue(NativeAcceleration.active(), described);
    assertTrue(described.startsWith("nd4j-native CPU, oneDNN conv/pool helpers on, "), described);
    assertNotNull(net.getLayer(0).getHelper(), "conv helper");
    assertNotNull(net.getLayer(1).getHelper(), "pool helper");
  }

  @Test
  void avx512BuildOnlyWhereTheCpuHasEverySubsetItUses() {
    // given /proc/cpuinfo excerpts: Zen 4 (all subsets), Zen 3 (AVX2 only), Knights Landing (avx512f without bw/dq/vl)
    String zen4 = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512dq avx512cd avx512bw avx512vl avx512_bf16\n";
    String zen3 = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma\n";
    String knightsLanding = "flags\t\t: fpu avx2 avx512f avx512pf avx512er avx512cd\n";

    // when / then
    assertEquals("-onednn-avx512", NativeAcceleration.buildFor(zen4, true, null));
    assertNull(NativeAcceleration.buildFor(zen3, true, null));
    assertNull(NativeAcceleration.buildFor(knightsLanding, true, null));
    assertNull(NativeAcceleration.buildFor("", true, null), "no cpuinfo (not Linux)");
    assertNull(NativeAcceleration.buildFor(zen4, false, null), "AVX-512 jar not on the class path");
    assertNull(NativeAcceleration.buildFor(zen4, true, "-onednn-avx2"), "the operator's choice stands");
  }

  @Test
  void describeNamesTheLoadedBuild() {
    // when
    String described = NativeAcceleration.describe();

    // then: one of the two oneDNN builds the pom ships, as ND4J itself reports it
    assertTrue(described.endsWith(", AVX2 build") || described.endsWith(", AVX-512 build"), described);
    assertEquals("AVX-512 build", NativeAcceleration.buildName(3));
    assertEquals("AVX2 build", NativeAcceleration.buildName(2));
  }

  @Test
  void oneDnnGradientMatchesBuiltInPath() {
    // given the same network built with and without helpers, and one batch
    MultiLayerNetwork fast = ModelZoo.build(SPEC);
    MultiLayerNetwork plain = withHelpersDisabled(() -> ModelZoo.build(SPEC));
    Nd4j.getRandom().setSeed(3);
    INDArray x = Nd4j.rand(DataType.FLOAT, 8, 1, 28, 28);
    INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 4);
    for (int i = 0; i < 8; i++) {
      y.putScalar(i, i % 4, 1f);
    }

    // when
    fast.setInput(x);
    fast.setLabels(y);
    fast.computeGradientAndScore();
    plain.setInput(x);
    plain.setLabels(y);
    plain.computeGradientAndScore();

    // then
    assertNull(plain.getLayer(0).getHelper());
    assertNotNull(fast.getLayer(0).getHelper());
    assertEquals(plain.score(), fast.score(), 1e-5);
    INDArray gFast = fast.gradient().gradient();
    INDArray gPlain = plain.gradient().gradient();
    double relative = gFast.sub(gPlain).norm2Number().doubleValue() / gPlain.norm2Number().doubleValue();
    assertTrue(relative < 1e-4, "relative gradient difference " + relative);
  }

  private static <T> T withHelpersDisabled(java.util.function.Supplier<T> body) {
    String before = System.getProperty(NativeAcceleration.HELPERS_PROPERTY);
    System.setProperty(NativeAcceleration.HELPERS_PROPERTY, "true");
    try {
      return body.get();
    } finally {
      if (before == null) {
        System.clearProperty(NativeAcceleration.HELPERS_PROPERTY);
      } else {
        System.setProperty(NativeAcceleration.HELPERS_PROPERTY, before);
      }
    }
  }

  @Test
  void operationsGoSingleThreadedOnTheCallingThreadAndBack() {
    var ops = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps();
    int all = Nd4j.getEnvironment().maxThreads();
    try {
      // when
      NativeAcceleration.runOperationsOnCallingThread();
      // then: OpenMP (oneDNN's convolutions) on this thread, and OpenBLAS, at one thread
      assertEquals(1, ops.ompGetMaxThreads());
      assertEquals(1, Nd4j.factory().blas().getMaxThreads());
    } finally {
      NativeAcceleration.runOperationsOnAllThreads();
    }
    // and back to ND4J's thread count (2 on the 2-core CI machine)
    assertEquals(all, ops.ompGetMaxThreads());
    assertEquals(all, Nd4j.factory().blas().getMaxThreads());
  }
}
