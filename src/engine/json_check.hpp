// Checks that a body is one JSON text (RFC 8259 §2) without building a document: identity
// mappings pass the upstream bytes through, so the DOM would be built only to be thrown away.
#pragma once

#include <string_view>

namespace capstan::engine {

bool isJsonText(std::string_view text);

}  // namespace capstan::engine
