package tw.mpos.core.testing

/** A small JSON reader for the testbed's answers: objects, arrays, strings, numbers, booleans, null. */
object MiniJson {
    /** Parses [text] into maps, lists, strings, doubles, booleans and nulls. */
    fun parse(text: String): Any? = Reader(text).run { value().also { end() } }

    private class Reader(private val text: String) {
        private var at = 0

        fun value(): Any? {
            space()
            return when (val c = text.getOrNull(at)) {
                '{' -> obj()
                '[' -> array()
                '"' -> string()
                't' -> literal("true", true)
                'f' -> literal("false", false)
                'n' -> literal("null", null)
                else -> if (c != null && (c == '-' || c.isDigit())) number() else fail("a value")
            }
        }

        fun end() {
            space()
            if (at != text.length) fail("the end")
        }

        private fun obj(): Map<String, Any?> {
            val map = LinkedHashMap<String, Any?>()
            at++
            space()
            if (text[at] == '}') return map.also { at++ }
            while (true) {
                space()
                val key = string()
                space()
                expect(':')
                map[key] = value()
                space()
                if (text[at] == ',') at++ else return map.also { expect('}') }
            }
        }

        private fun array(): List<Any?> {
            val list = ArrayList<Any?>()
            at++
            space()
            if (text[at] == ']') return list.also { at++ }
            while (true) {
                list += value()
                space()
                if (text[at] == ',') at++ else return list.also { expect(']') }
            }
        }

        private fun string(): String {
            expect('"')
            val out = StringBuilder()
            while (true) {
                when (val c = text[at++]) {
                    '"' -> return out.toString()
                    '\\' -> when (val e = text[at++]) {
                        'n' -> out.append('\n')
                        't' -> out.append('\t')
                        'r' -> out.append('\r')
                        'b' -> out.append('\b')
                        'f' -> out.append('\u000c')
                        'u' -> out.append(text.substring(at, at + 4).toInt(16).toChar()).also { at += 4 }
                        else -> out.append(e)
                    }
                    else -> out.append(c)
                }
            }
        }

        private fun number(): Double {
            val start = at
            while (at < text.length && (text[at].isDigit() || text[at] in "+-.eE")) at++
            return text.substring(start, at).toDouble()
        }

        private fun literal(word: String, value: Any?): Any? {
            if (!text.startsWith(word, at)) fail(word)
            at += word.length
            return value
        }

        private fun expect(c: Char) {
            if (text.getOrNull(at) != c) fail("'$c'")
            at++
        }

        private fun space() {
            while (at < text.length && text[at].isWhitespace()) at++
        }

        private fun fail(what: String): Nothing = error("JSON: expected $what at $at")
    }
}
