// Telegram's HTML parse mode (sendMessage with parse_mode HTML): how long a text is as Telegram
// counts it, and cutting it to a limit with its markup intact. Escaping is EscapeHtml
// (chat_text.h). The message format itself is formats::Telegram() (chat_format.h).
#pragma once

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace sa::notifier {

// Visible length of Telegram-HTML `html` in UTF-16 units: tags count 0, an entity counts 1.
size_t TelegramVisibleLength(absl::string_view html);

// Cuts Telegram-HTML `html` so that its visible text (tags count 0, an entity counts 1) fits
// in `max_units`: the cut falls on text, "…" is added, and the tags still open are closed.
std::string TruncateTelegramHtml(absl::string_view html, size_t max_units);

}  // namespace sa::notifier
