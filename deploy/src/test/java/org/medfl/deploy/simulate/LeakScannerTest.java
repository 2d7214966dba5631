package org.medfl.deploy.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medfl.client.data.DicomPhantoms;
import org.medfl.common.pki.Pem;
import org.medfl.deploy.provision.Provisioner;

/** The scanner behind {@link LogSecretsIT} finds each kind of planted secret, and nothing in clean log text. */
class LeakScannerTest {

  @TempDir
  static Path run;

  private static LeakScanner scanner;
  private static Path siteKey;
  private static Path dicom;

  @BeforeAll
  static void kitsAndPhantoms() {
    Provisioner.provision("leaks", "127.0.0.1:1", List.of("hospital-1"), List.of("admin"), List.of("auditor"),
        run.resolve("kits"));
    DicomPhantoms.generate(run.resolve("data").resolve("hospital-1"), 0, 2, 16, 1);
    scanner = LeakScanner.forRun(run);
    siteKey = run.resolve("kits/hospital-1/startup/key.pem");
    dicom = LeakScanner.files(run.resolve("data")).get(0);
  }

  @Test
  void looksForEveryKitKeyEveryPatientAndEveryFilesPixels() {
    // given 5 private keys (CA, coordinator, site, admin, auditor), 1 patient (2 slices) with 1 name, 2 files

    // when / then
    assertEquals(5 + 1 + 1 + 2, scanner.secrets());
  }

  @Test
  void cleanLogLinesHaveNoLeak() {
    // given what a site and the coordinator do log, including a certificate, which is public
    String log = String.join("\n",
        "[site-hospital-1] INFO org.medfl.client.SiteAgent - job j1: loaded 40 images from /tmp/run/data/hospital-1",
        "[site-hospital-1] WARN org.medfl.client.SiteAgent - job j1: nodule/ct-00003.dcm: file is truncated",
        LeakScanner.read(run.resolve("kits/hospital-1/startup/cert.pem")));

    // when / then
    assertEquals(List.of(), scanner.scan("log", log));
  }

  @Test
  void pemPrivateKeyOrItsBodyIsALeak() {
    // given a whole key file pasted into a log, and one body line of it without its header
    String pem = LeakScanner.read(siteKey);
    String bodyLine = pem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();

    // when
    var whole = scanner.scan("log", "INFO loading key\n" + pem);
    var line = scanner.scan("log", "DEBUG key=" + bodyLine + " ok");

    // then
    assertTrue(whole.stream().anyMatch(l -> l.secret().equals("a PEM private key header")), whole.toString());
    assertTrue(line.stream().anyMatch(l -> l.secret().contains("hospital-1/startup/key.pem (a PEM body line)")),
        line.toString());
  }

  @Test
  void privateKeyBytesAsHexOrAsBase64AtAnyOffsetAreALeak() {
    // given the site's private scalar as hex, and its PKCS#8 encoding inside a longer buffer, as base64
    ECPrivateKey key = (ECPrivateKey) Pem.readPrivateKey(siteKey);
    byte[] scalar = key.getS().toByteArray();
    scalar = scalar[0] == 0 ? Arrays.copyOfRange(scalar, 1, scalar.length) : scalar;
    byte[] der = key.getEncoded();
    for (int prefix = 0; prefix < 3; prefix++) {
      byte[] buffer = new byte[prefix + der.length + 5];
      System.arraycopy(der, 0, buffer, prefix, der.length);

      // when
      var hex = scanner.scan("log", "s=" + HexFormat.of().formatHex(scalar));
      var b64 = scanner.scan("log", "{\"blob\":\"" + Base64.getEncoder().encodeToString(buffer) + "\"}");

      // then
      assertTrue(hex.stream().anyMatch(l -> l.secret().contains("key.pem (its secret value) as hex")), hex.toString());
      assertTrue(b64.stream().anyMatch(l -> l.secret().contains("key.pem")), "prefix " + prefix + ": " + b64);
    }
  }

  @Test
  void patientIdentityIsALeakWhereverItIs() throws Exception {
    // given the Patient ID of the first phantom in an exception message, and its Patient's Name
    String header = new ij.plugin.DICOM().getInfo(dicom.toString());
    String id = header.lines().filter(l -> l.startsWith("0010,0020")).findFirst().orElseThrow().split(": ")[1].strip();

    // when
    var leaks = scanner.scan("log", "WARN cannot read /data/" + id + "/scan.dcm\nname SYNTHETIC^PHANTOM\n");

    // then
    assertTrue(id.startsWith("PHANTOM-S00-P"), id);
    assertEquals(List.of("Patient ID of hospital-1 line 1", "Patient's Name of hospital-1 line 2"),
        leaks.stream().map(l -> l.secret().replaceAll(" of hospital-1/\\S+", " of hospital-1") + " "
            + l.where().replace("log ", "")).toList());
  }

  @Test
  void pixelDataAsBase64HexOrRawBytesIsALeak() throws Exception {
    // given the file's bytes from its pixel data on, as base64 from one byte later, as hex, and raw
    byte[] bytes = Files.readAllBytes(dicom);
    int start = LeakScanner.pixelDataStart(bytes);
    byte[] pixels = Arrays.copyOfRange(bytes, start + 1, start + 1 + 2 * LeakScanner.PIXEL_RUN);

    // when
    var b64 = scanner.scan("log", "pixels " + Base64.getEncoder().encodeToString(pixels));
    var hex = scanner.scan("log", HexFormat.of().formatHex(bytes, start, start + LeakScanner.PIXEL_RUN));
    var raw = scanner.scan("file", LeakScanner.read(dicom));

    // then
    assertTrue(start > 128, "pixel data found at " + start);
    assertTrue(b64.stream().anyMatch(l -> l.secret().contains("pixel data of") && l.secret().endsWith("as base64")),
        b64.toString());
    assertTrue(hex.stream().anyMatch(l -> l.secret().contains("(first run) as hex")), hex.toString());
    assertTrue(raw.stream().anyMatch(l -> l.secret().contains("as raw bytes")), raw.toString());
  }
}
