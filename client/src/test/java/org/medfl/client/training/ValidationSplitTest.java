package org.medfl.client.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medfl.client.data.LabeledImages;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class ValidationSplitTest {

  private static LabeledImages images(List<String> patients) {
    int n = patients.size();
    return new LabeledImages(Nd4j.zeros(DataType.FLOAT, n, 1, 8, 8), new int[n], List.of("a", "b"), patients);
  }

  @Test
  void patientNeverOnBothSides() {
    // given 20 patients with 5 images each
    var patients = new ArrayList<String>();
    for (int i = 0; i < 100; i++) {
      patients.add("p" + (i % 20));
    }

    // when
    var split = ValidationSplit.of(images(patients), 0.2, 7);

    // then
    var trainPatients = new HashSet<String>();
    Arrays.stream(split.train()).forEach(i -> trainPatients.add(patients.get(i)));
    Arrays.stream(split.validation()).forEach(i -> assertTrue(!trainPatients.contains(patients.get(i))));
    assertEquals(20, split.validation().length);
    assertEquals(80, split.train().length);
  }

  @Test
  void sameSeedSameSplit() {
    // given
    var patients = new ArrayList<String>(java.util.Collections.nCopies(50, (String) null));

    // when
    var a = ValidationSplit.of(images(patients), 0.3, 5);
    var b = ValidationSplit.of(images(patients), 0.3, 5);
    var c = ValidationSplit.of(images(patients), 0.3, 6);

    // then
    assertArrayEquals(a.validation(), b.validation());
    assertEquals(15, a.validation().length);
    assertTrue(!Arrays.equals(a.validation(), c.validation()));
  }

  @Test
  void tinyDataKeepsOneImageOnEachSide() {
    // when
    var split = ValidationSplit.of(images(Arrays.asList(null, null)), 0.9, 1);

    // then
    assertEquals(1, split.train().length);
    assertEquals(1, split.validation().length);
  }
}
