package io.billingbatch.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class SpreadsheetTextTest {

    @ParameterizedTest
    @ValueSource(strings = { "=SUM(A1:A9)", "+1+2", "-2+3", "@cmd", "\tcmd", "\rcmd" })
    void prefixesValuesThatCouldStartAFormula(String dangerous) {
        // when
        String neutralized = SpreadsheetText.neutralize(dangerous);

        // then
        assertThat(neutralized).isEqualTo("'" + dangerous);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "plain", "a=b", " =leading space", "'quoted", "12.5", "\ncmd" })
    void leavesOtherValuesAlone(String harmless) {
        assertThat(SpreadsheetText.neutralize(harmless)).isEqualTo(harmless);
    }

    @Test
    void keepsNullAsNull() {
        assertThat(SpreadsheetText.neutralize(null)).isNull();
    }
}
