package dev.cove.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command's {@code --help}, rendered at 80 columns as a terminal shows it. */
class HelpTextTest {
    /** Every command's help text at 80 columns, by its full name ("cove location add"). */
    static Map<String, String> helps() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        collect(CoveCli.commandLine(Map.of()), out);
        return out;
    }

    private static void collect(CommandLine cmd, Map<String, String> out) {
        cmd.setUsageHelpWidth(80);
        StringWriter w = new StringWriter();
        cmd.usage(new PrintWriter(w), CommandLine.Help.Ansi.OFF);
        out.put(cmd.getCommandSpec().qualifiedName(), w.toString());
        cmd.getSubcommands().values().stream().distinct().forEach(c -> collect(c, out));
    }

    /**
     * A description's line one word long that continues a sentence: picocli wrapped an element slightly longer
     * than the width on its own ("the others exit with status" / "3" / "when none runs").
     */
    @Test
    void noLineHoldsALoneWordCutFromItsSentence() {
        List<String> found = new ArrayList<>();
        helps().forEach((name, help) -> {
            String[] lines = help.split("\\R");
            for (int i = 1; i + 1 < lines.length; i++) {
                String t = lines[i].strip();
                String prev = lines[i - 1].strip();
                String next = lines[i + 1].strip();
                boolean oneWord = !t.isEmpty() && !t.contains(" ") && !t.startsWith("-") && !t.endsWith(":");
                boolean continued = !next.isEmpty() && Character.isLowerCase(next.charAt(0))
                        && indent(lines[i + 1]) == indent(lines[i]);
                if (oneWord && continued && !prev.isEmpty() && !prev.endsWith(".") && !prev.endsWith(":")
                        && !prev.startsWith("Usage:")) {
                    found.add(name + ": \"" + prev + "\" / \"" + t + "\" / \"" + next + "\"");
                }
            }
        });
        assertEquals(List.of(), found, "lines cut from their sentences");
    }

    private static int indent(String line) {
        return line.length() - line.stripLeading().length();
    }

    @Test
    void noUsageRepeatsAParameterLabel() {
        List<String> found = new ArrayList<>();
        helps().forEach((name, help) -> {
            StringBuilder synopsis = new StringBuilder();
            for (String line : help.split("\\R")) {
                if (line.startsWith("Usage:") || (!synopsis.isEmpty() && line.startsWith(" ") && !line.strip().startsWith("-"))) {
                    synopsis.append(line).append(' ');
                } else if (!synopsis.isEmpty()) {
                    break;
                }
            }
            Set<String> seen = new HashSet<>();
            // the positional parameters' labels: options (with their own labels) taken out first
            String positionals = synopsis.toString().replaceAll("\\[--?[^\\[\\]]*(\\[[^\\]]*\\])?[^\\]]*\\](\\.\\.\\.)?", " ");
            Matcher m = Pattern.compile("[A-Z][A-Z_]+").matcher(positionals.replace("Usage:", ""));
            while (m.find()) {
                if (!seen.add(m.group())) {
                    found.add(name + ": " + synopsis.toString().strip().replaceAll("\\s+", " "));
                    break;
                }
            }
        });
        assertEquals(List.of(), found, "usages that repeat a parameter label");
    }

    @Test
    void completionSaysWhereToPutTheScript() {
        String help = helps().get("cove completion");
        assertTrue(help.contains("mkdir -p ~/.local/share/bash-completion/completions"), help);
        assertTrue(help.contains("cove completion > ~/.local/share/bash-completion/completions/cove"), help);
    }

    @Test
    void paragraphsJoinLinesButKeepExamplesAndLists() {
        assertEquals(List.of("First sentence.", "Second part of one sentence.", "Example: cove x",
                        "Next. Steps:", "  one", "two joined"),
                List.of(CoveCli.paragraphs(new String[]{"First sentence.", "Second part", "of one sentence.",
                        "Example: cove x", "Next.", "Steps:", "  one", "two", "joined"})));
    }
}
