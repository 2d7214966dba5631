package org.medfl.client.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.medfl.common.job.AugmentationSpec;
import org.nd4j.linalg.factory.Nd4j;

class AugmenterTest {

  private static final AugmentationSpec ALL = new AugmentationSpec(true, true, 20, 0.1, 0.2, 0.3, 0.4);

  /** {@code images} images of 2 channels, 6x5, values in [0, 1]. */
  private static float[] batch(int images) {
    var rnd = new SplittableRandom(7);
    float[] values = new float[images * 2 * 6 * 5];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) rnd.nextDouble();
    }
    return values;
  }

  @Test
  void noneChangesNothing() {
    // given
    float[] values = batch(4);
    float[] before = values.clone();

    // when
    new Augmenter(AugmentationSpec.none(), 42).augmentBatchInPlace(values, 4, 2, 6, 5, 1, 1, 0);

    // then
    assertArrayEquals(before, values);
  }

  @Test
  void flipsMirrorAboutHalfOfTheImages() {
    // given 32 copies of one 2x3 image
    float[] image = {1, 2, 3, 4, 5, 6};
    float[] mirrored = {3, 2, 1, 6, 5, 4};
    float[] upsideDown = {4, 5, 6, 1, 2, 3};
    float[] values = new float[32 * 6];
    for (int i = 0; i < 32; i++) {
      System.arraycopy(image, 0, values, i * 6, 6);
    }
    var horizontal = new AugmentationSpec(true, false, 0, 0, 0, 0, 0);
    float[] vertical = values.clone();

    // when
    new Augmenter(horizontal, 42).augmentBatchInPlace(values, 32, 1, 2, 3, 1, 1, 0);
    new Augmenter(new AugmentationSpec(false, true, 0, 0, 0, 0, 0), 42)
        .augmentBatchInPlace(vertical, 32, 1, 2, 3, 1, 1, 0);

    // then: each image is exactly the original or its mirror, and both occur
    int flippedH = 0;
    int flippedV = 0;
    for (int i = 0; i < 32; i++) {
      float[] h = Arrays.copyOfRange(values, i * 6, i * 6 + 6);
      float[] v = Arrays.copyOfRange(vertical, i * 6, i * 6 + 6);
      assertTrue(Arrays.equals(h, image) || Arrays.equals(h, mirrored), Arrays.toString(h));
      assertTrue(Arrays.equals(v, image) || Arrays.equals(v, upsideDown), Arrays.toString(v));
      flippedH += Arrays.equals(h, mirrored) ? 1 : 0;
      flippedV += Arrays.equals(v, upsideDown) ? 1 : 0;
    }
    assertTrue(flippedH > 0 && flippedH < 32, "flipped " + flippedH);
    assertTrue(flippedV > 0 && flippedV < 32, "flipped " + flippedV);
  }

  @Test
  void sameSeedRoundEpochAndBatchGiveTheSameOutput() {
    // given
    float[] a = batch(8);
    float[] b = batch(8);

    // when
    new Augmenter(ALL, 42).augmentBatchInPlace(a, 8, 2, 6, 5, 3, 2, 1);
    new Augmenter(ALL, 42).augmentBatchInPlace(b, 8, 2, 6, 5, 3, 2, 1);

    // then
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(batch(8), a));
  }

  @Test
  void anotherRoundEpochOrBatchGivesOtherChanges() {
    // given
    float[] base = batch(8);
    float[] round = batch(8);
    float[] epoch = batch(8);
    float[] index = batch(8);
    var augmenter = new Augmenter(ALL, 42);

    // when
    augmenter.augmentBatchInPlace(base, 8, 2, 6, 5, 3, 2, 1);
    augmenter.augmentBatchInPlace(round, 8, 2, 6, 5, 4, 2, 1);
    augmenter.augmentBatchInPlace(epoch, 8, 2, 6, 5, 3, 1, 1);
    augmenter.augmentBatchInPlace(index, 8, 2, 6, 5, 3, 2, 0);

    // then
    assertFalse(Arrays.equals(base, round));
    assertFalse(Arrays.equals(base, epoch));
    assertFalse(Arrays.equals(base, index));
  }

  @Test
  void valuesStayWithinEachImagesInputRange() {
    // given strong settings and images whose ranges differ
    var strong = new AugmentationSpec(true, true, 180, 0.5, 0.5, 1, 1);
    float[] values = batch(16);
    for (int i = 0; i < values.length; i++) {
      values[i] = values[i] * 2 - 3 + (i / 60);
    }
    float[] before = values.clone();

    // when
    new Augmenter(strong, 1).augmentBatchInPlace(values, 16, 2, 6, 5, 1, 1, 0);

    // then
    for (int image = 0; image < 16; image++) {
      float[] in = Arrays.copyOfRange(before, image * 60, image * 60 + 60);
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      for (float v : in) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      for (int k = image * 60; k < image * 60 + 60; k++) {
        assertTrue(values[k] >= min && values[k] <= max, values[k] + " outside [" + min + ", " + max + "]");
      }
    }
  }

  @Test
  void ndarrayBatchIsCopiedNotChanged() {
    // given
    float[] values = batch(2);
    var x = Nd4j.create(values.clone(), new long[] {2, 2, 6, 5}, 'c');

    // when
    var augmented = new Augmenter(ALL, 42).augmentBatch(x, 1, 1, 0);
    new Augmenter(ALL, 42).augmentBatchInPlace(values, 2, 2, 6, 5, 1, 1, 0);

    // then
    assertArrayEquals(new long[] {2, 2, 6, 5}, augmented.shape());
    assertArrayEquals(values, augmented.data().asFloat());
    assertEquals(batch(2)[0], x.getFloat(0, 0, 0, 0));
  }
}
