package org.medfl.client.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.medfl.common.job.PreprocessingSpec;
import org.medfl.common.job.WindowSpec;

class PreprocessorTest {

  private static final PreprocessingSpec PAD = PreprocessingSpec.defaults();
  private static final PreprocessingSpec STRETCH = new PreprocessingSpec("stretch", null, "unit", 0, 1);

  /** A 2-row, 4-column 8-bit image: 0.2 0.4 0.6 0.8 over 1.0 0.8 0.6 0.4 once mapped to [0, 1]. */
  private static RawImage twoByFour() {
    return RawImage.unsigned(new double[][] {{51, 102, 153, 204, 255, 204, 153, 102}}, 2, 4, 8);
  }

  @Test
  void fixedWindowClipsAndMapsToUnitRange() {
    // given a CT row in Hounsfield units and a soft-tissue window: [-160, 240]
    var spec = new PreprocessingSpec("stretch", new WindowSpec(40.0, 400.0, false), "unit", 0, 1);
    var ct = RawImage.modality(new double[] {-1000, -160, 40, 140, 240, 3000}, 1, 6, null, null);

    // when
    float[] out = new Preprocessor(spec, 6, 1, 1).apply(ct);

    // then
    assertArrayEquals(new float[] {0f, 0f, 0.5f, 0.75f, 1f, 1f}, out);
  }

  @Test
  void dicomWindowComesFromTheFileAndUntaggedFilesAreNotWindowed() {
    // given
    var spec = new PreprocessingSpec("stretch", new WindowSpec(null, null, true), "unit", 0, 1);
    double[] values = {-100, -50, 0, 50, 100};
    var tagged = RawImage.modality(values, 1, 5, 0.0, 100.0);
    var untagged = RawImage.modality(values, 1, 5, null, null);
    var preprocessor = new Preprocessor(spec, 5, 1, 1);

    // when
    float[] windowed = preprocessor.apply(tagged);
    float[] plain = preprocessor.apply(untagged);

    // then: the tags give [-50, 50]; without tags the image's own min..max is the range
    assertArrayEquals(new float[] {0f, 0f, 0.5f, 1f, 1f}, windowed);
    assertArrayEquals(new float[] {0f, 0.25f, 0.5f, 0.75f, 1f}, plain);
  }

  @Test
  void flatImageInPhysicalUnitsBecomesZero() {
    // when
    float[] out = new Preprocessor(PAD, 2, 1, 1).apply(RawImage.modality(new double[] {7, 7}, 1, 2, null, null));

    // then
    assertArrayEquals(new float[] {0f, 0f}, out);
  }

  @Test
  void padKeepsAspectAndFillsWithTheImageMinimum() {
    // when a 2x4 (rows x cols) image goes into a 4x4 input
    float[] out = new Preprocessor(PAD, 4, 4, 1).apply(twoByFour());

    // then: unscaled, centred vertically, one row of the minimum (0.2) above and below
    assertArrayEquals(new float[] {
        0.2f, 0.2f, 0.2f, 0.2f,
        0.2f, 0.4f, 0.6f, 0.8f,
        1.0f, 0.8f, 0.6f, 0.4f,
        0.2f, 0.2f, 0.2f, 0.2f}, out, 1e-6f);
  }

  @Test
  void stretchScalesRowsBilinearly() {
    // when
    float[] out = new Preprocessor(STRETCH, 4, 4, 1).apply(twoByFour());

    // then: output rows sit at source rows 0, 0.25, 0.75 and 1 (centres aligned, edges clamped)
    assertArrayEquals(new float[] {
        0.2f, 0.4f, 0.6f, 0.8f,
        0.4f, 0.5f, 0.6f, 0.7f,
        0.8f, 0.7f, 0.6f, 0.5f,
        1.0f, 0.8f, 0.6f, 0.4f}, out, 1e-6f);
  }

  @Test
  void padShrinksTheLongerSideToFit() {
    // given a 1x4 row 0 0 255 255 into 2x2: scaled by 1/2 to 1x2, one padded row
    var row = RawImage.unsigned(new double[][] {{0, 0, 255, 255}}, 1, 4, 8);

    // when
    float[] out = new Preprocessor(PAD, 2, 2, 1).apply(row);

    // then: the odd margin row goes below (top margin rounds down)
    assertArrayEquals(new float[] {0f, 1f, 0f, 0f}, out);
  }

  @Test
  void zscoreFollowsUnitMapping() {
    // given
    var spec = new PreprocessingSpec("pad", null, "zscore", 0.5, 0.25);
    var image = RawImage.unsigned(new double[][] {{0, 255}}, 1, 2, 8);

    // when
    float[] out = new Preprocessor(spec, 2, 1, 1).apply(image);

    // then
    assertArrayEquals(new float[] {-2f, 2f}, out);
  }

  @Test
  void rgbBecomesLuminanceAndGrayIsRepeated() {
    // given a red pixel and a gray one
    var red = RawImage.unsigned(new double[][] {{255}, {0}, {0}}, 1, 1, 8);
    var gray = RawImage.unsigned(new double[][] {{102}}, 1, 1, 8);

    // when
    float[] luminance = new Preprocessor(PAD, 1, 1, 1).apply(red);
    float[] rgb = new Preprocessor(PAD, 1, 1, 3).apply(gray);

    // then
    assertArrayEquals(new float[] {0.299f}, luminance, 1e-6f);
    assertArrayEquals(new float[] {0.4f, 0.4f, 0.4f}, rgb);
  }

  @Test
  void sixteenBitSamplesUseTheirFullRange() {
    // when
    float[] out = new Preprocessor(PAD, 2, 1, 1).apply(RawImage.unsigned(new double[][] {{0, 65535}}, 1, 2, 16));

    // then
    assertArrayEquals(new float[] {0f, 1f}, out);
  }

  @Test
  void defaultsGiveEightBitSamplesOver255BitForBit() {
    // given every 8-bit value, at the model's size
    double[] samples = new double[256];
    float[] expected = new float[256];
    for (int v = 0; v < 256; v++) {
      samples[v] = v;
      expected[v] = v / 255f;
    }

    // when
    float[] out = new Preprocessor(PAD, 16, 16, 1).apply(RawImage.unsigned(new double[][] {samples}, 16, 16, 8));

    // then: exactly what ImageFolderSource produced before preprocessing was configurable
    assertArrayEquals(expected, out);
  }
}
