package org.medfl.common.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErfcTest {

  /** Reference values of erfc to 16 digits (Abramowitz and Stegun, Table 7.1, extended by arbitrary precision). */
  @Test
  void erfcMatchesReferenceValuesOnBothSidesOfTheMethodSwitch() {
    // given
    double[][] reference = {
        {0.0, 1.0},
        {0.5, 0.4795001221869535},
        {1.0, 0.15729920705028513},
        {2.0, 0.004677734981047266},
        {3.0, 2.209049699858544e-05},
        {5.0, 1.5374597944280349e-12},
        {10.0, 2.088487583762545e-45},
        {-1.0, 1.842700792949715},
    };

    for (double[] row : reference) {
      // when
      double value = Erfc.erfc(row[0]);

      // then
      assertEquals(row[1], value, row[1] * 1e-13, "erfc(" + row[0] + ")");
    }
  }

  @Test
  void logErfcStaysFiniteWhereErfcUnderflows() {
    // given: erfc(40) is about 1e-697, below the smallest double
    double x = 40;

    // when
    double log = Erfc.logErfc(x);

    // then: the asymptotic series -x^2 - log(x sqrt(pi)) + log(1 - 1/(2x^2) + 3/(4x^4))
    double asymptotic = -x * x - Math.log(x * Math.sqrt(Math.PI)) + Math.log(1 - 1 / (2 * x * x) + 3 / (4 * x * x * x * x));
    assertEquals(asymptotic, log, 1e-9);
  }
}
