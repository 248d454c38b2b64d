package dev.reasoningsdk.impl.onnx.hf.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each Hugging Face extension on its own. Every expected string is what python3-jinja2 3.1.6 renders for the same
 * template and variables in the environment {@code transformers} builds for chat templates
 * ({@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)}, loop controls, HF's
 * {@code tojson} and {@code raise_exception}).
 */
class HuggingFaceJinjaTest {

    private static final Object NONE = null;
    private static final HuggingFaceJinja JINJA = new HuggingFaceJinja();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-07T09:05:00Z"), ZoneOffset.UTC);

    /** Qwen's messages[::-1], which Jinjava's parser refuses. */
    @Test
    void aValueThatLooksLikeATemplateIsPrintedAsItIs() {
        // Jinjava by default renders a printed value again when it holds "{{": a message was run as a template, so
        // a chain with "{{$" failed to render (a 400 for a served step search), and "{{ 6 * 7 }}" printed 42.
        String text = "{{ 6 * 7 }} {{$_workers {{ bos_token }} {% if x %}";
        assertRendersAsJinja2("{{ m }}|{{ m|trim }}|{{ ms[0].content }}", map("m", text, "bos_token", "<s>",
                "ms", List.of(map("content", text))), text + "|" + text + "|" + text);
    }

    @Test
    void sliceReverse() {
        assertRendersAsJinja2("{% for x in xs[::-1] %}{{ x }}{% endfor %}",
                map("xs", List.of("a", "b", "c")),
                "cba");
    }

    /** Slices with Python's rules: negative bounds, a negative step, bounds past the end. */
    @Test
    void slicePython() {
        assertRendersAsJinja2("{{ xs[1:]|join(',') }}|{{ xs[-2:]|join(',') }}|{{ xs[:-1]|join(',') }}|{{ s[::2] }}|{{ s[5:1:-1] }}|{{ xs[10:]|length }}",
                map("xs", List.of("a", "b", "c", "d"), "s", "abcdefgh"),
                "b,c,d|c,d|a,b,c|aceg|fedc|0");
    }

    /** namespace(...) with keyword arguments whose values are whole expressions, and set ns.attr. */
    @Test
    void namespace() {
        assertRendersAsJinja2("{% set ns = namespace(count=xs|length - 1, seen=false) %}{% for x in xs %}{% if x == 'b' %}{% set ns.seen = true %}{% set ns.count = ns.count + 10 %}{% endif %}{% endfor %}{{ ns.count }} {{ ns.seen }}",
                map("xs", List.of("a", "b", "c")),
                "12 True");
    }

    /** Python's str methods, split with Python's (not Java's regex) semantics, booleans printed as True. */
    @Test
    void stringMethods() {
        assertRendersAsJinja2("[{{ s.strip() }}][{{ s.lstrip() }}][{{ s.rstrip() }}][{{ t.strip('\\n') }}][{{ t.lstrip('\\n') }}][{{ s.upper() }}][{{ s.lower() }}][{{ s.title() }}][{{ s.replace('o', '0') }}][{{ s.replace('o', '0', 1) }}][{{ s.startswith('  he') }}][{{ s.endswith(('x', 'd  ')) }}][{{ s.find('o') }}][{{ s.count('o') }}][{{ '-'.join(s.split()) }}][{{ u.split('</think>')[-1] }}][{{ u.split('</think>')|length }}][{{ u.rsplit('<', 1)[0] }}][{{ 'a,b,,c'.split(',', 2)|join('|') }}]",
                map("s", "  hello World foo  ", "t", "\n\nthink\n", "u", "<think>x</think>"),
                "[hello World foo][hello World foo  ][  hello World foo][think][think\n][  HELLO WORLD FOO  ][  hello world foo  ][  Hello World Foo  ][  hell0 W0rld f00  ][  hell0 World foo  ][True][False][6][4][hello-World-foo][][2][<think>x][a|b|,c]");
    }

    /** {@literal {%}- -%} and {@literal {{}- -}} trimming with trim_blocks and lstrip_blocks, as transformers sets them. */
    @Test
    void whitespaceControl() {
        assertRendersAsJinja2("{%- for m in xs %}\n    {{- m }}\n    {%- if not loop.last %}, {% endif %}\n{%- endfor %}\nend\n  {% if true %}\n  kept\n  {% endif %}\n",
                map("xs", List.of("a", "b")),
                "a, bend\n  kept\n");
    }

    /** The loopcontrols extension: break and continue. */
    @Test
    void loopControls() {
        assertRendersAsJinja2("{% for x in xs %}{% if loop.first %}{% continue %}{% endif %}{% if x == 'd' %}{% break %}{% endif %}{{ loop.index0 }}{{ x }}{% endfor %}",
                map("xs", List.of("a", "b", "c", "d", "e")),
                "1b2c");
    }

    /** tojson as json.dumps(ensure_ascii=False): Python's separators, no HTML escaping, indent, sort_keys. */
    @Test
    void tojson() {
        assertRendersAsJinja2("{{ tools|tojson }}\n{{ tools[0]|tojson(indent=2) }}\n{{ tools[0].function.name|tojson }}\n{{ {'b': 1, 'a': [1.5, none, false]}|tojson(sort_keys=true) }}",
                map("tools", List.of(map("type", "function", "function", map("name", "get_weather", "description", "Weather \"now\" in é <city>", "parameters", map("type", "object", "properties", map("city", map("type", "string")), "required", List.of("city")))))),
                "[{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather \\\"now\\\" in é <city>\", \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}}]\n{\n  \"type\": \"function\",\n  \"function\": {\n    \"name\": \"get_weather\",\n    \"description\": \"Weather \\\"now\\\" in é <city>\",\n    \"parameters\": {\n      \"type\": \"object\",\n      \"properties\": {\n        \"city\": {\n          \"type\": \"string\"\n        }\n      },\n      \"required\": [\n        \"city\"\n      ]\n    }\n  }\n}\n\"get_weather\"\n{\"a\": [1.5, null, false], \"b\": 1}");
    }

    /** The tests templates use: defined, none, false, string, and in. */
    @Test
    void testsAndDefined() {
        assertRendersAsJinja2("{% if a is defined %}A{% endif %}{% if b is not defined %}B{% endif %}{% if n is none %}N{% endif %}{% if f is false %}F{% endif %}{% if s is string %}S{% endif %}{% if 'ell' in s %}I{% endif %}",
                map("a", 1L, "n", NONE, "f", false, "s", "hello"),
                "ABNFSI");
    }

    @Test
    void raiseExceptionCarriesTheTemplatesMessage() {
        assertThatThrownBy(() -> JINJA.render("{% if messages|length > 1 %}{{ raise_exception("
                + "'Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}",
                map("messages", List.of(1L, 2L)), CLOCK))
                .isInstanceOfSatisfying(HuggingFaceJinja.TemplateException.class,
                        e -> assertThat(e.raisedByTemplate()).isTrue())
                .hasMessage("Conversation roles must alternate user/assistant/user/assistant/...");
    }

    /** strftime_now as Llama 3.1's template calls it, on an injected clock. */
    @Test
    void strftimeNowReadsTheClock() {
        assertThat(JINJA.render("{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%-d %B %Y, %H:%M') }}", Map.of(),
                CLOCK)).isEqualTo("07 Mar 2026|7 March 2026, 09:05");
    }

    @Test
    void aSyntaxErrorNamesTheLine() {
        assertThatThrownBy(() -> JINJA.check("ok\n{% if x %}never closed"))
                .isInstanceOfSatisfying(HuggingFaceJinja.TemplateException.class,
                        e -> assertThat(e.raisedByTemplate()).isFalse())
                .hasMessageStartingWith("line 2: ");
    }

    private static void assertRendersAsJinja2(String template, Map<String, Object> variables, String expected) {
        assertThat(JINJA.render(template, variables, CLOCK)).isEqualTo(expected);
    }

    /** An ordered map (as a Python dict) that may hold nulls. */
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
