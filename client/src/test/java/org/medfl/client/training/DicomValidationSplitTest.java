package org.medfl.client.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.medfl.common.job.PreprocessingSpec;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.client.data.DicomPhantoms;
import org.medfl.client.data.DicomReader;
import org.medfl.client.data.DicomSource;
import org.medfl.client.data.LabeledImages;

class DicomValidationSplitTest {

  @TempDir
  Path data;

  @Test
  void noDicomPatientIsOnBothSides() {
    // given 30 phantom slices, two per patient, patient ids from the DICOM Patient ID
    DicomPhantoms.generate(data, 1, 30, 16, 11);
    LabeledImages images = DicomSource.load(data, DicomPhantoms.classes(), 16, 16, 1, DicomReader.MIDDLE, PreprocessingSpec.defaults())
        .images();

    // when
    ValidationSplit split = ValidationSplit.of(images, 0.3, 42);

    // then
    Set<String> train = new HashSet<>();
    for (int i : split.train()) {
      train.add(images.patientIds().get(i));
    }
    Set<String> validation = new HashSet<>();
    for (int i : split.validation()) {
      validation.add(images.patientIds().get(i));
    }
    assertEquals(15, train.size() + validation.size());
    assertTrue(validation.size() > 0 && train.size() > 0);
    assertTrue(validation.stream().noneMatch(train::contains), "shared: " + validation);
  }
}
