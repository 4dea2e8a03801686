// Text helpers for chat payloads: escaping for each service's markup, and cutting text to a
// service's length limit without splitting a UTF-8 sequence. Telegram's HTML has its own
// length and cutting rules: formats/telegram.h.
//
// Lengths are counted in UTF-16 code units, as the chat services count them (an emoji outside
// the BMP counts 2), so a text that fits here fits there.
#pragma once

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace sa::notifier {

// The mark a cut text ends with; one UTF-16 unit.
inline constexpr absl::string_view kEllipsis = "…";

// Byte length of the UTF-8 sequence that starts with `lead` (1 for an invalid lead byte).
size_t Utf8SequenceLength(unsigned char lead);

// UTF-16 code units of UTF-8 `text` (invalid bytes count 1 each).
size_t Utf16Length(absl::string_view text);

// `text` if it fits in `max_units`; else its longest prefix (on a code-point boundary, and on a
// word boundary when one is within the last 20% of the budget) followed by "…", together
// within `max_units`.
std::string TruncateText(absl::string_view text, size_t max_units);

// Slack mrkdwn: & < > as entities.
std::string EscapeSlack(absl::string_view text);
// Discord markdown: a backslash before * _ ~ ` | > \ so user text stays literal.
std::string EscapeDiscord(absl::string_view text);
// CommonMark (Mattermost): a backslash before \ ` * _ { } [ ] ( ) # | ~ < >.
std::string EscapeCommonMark(absl::string_view text);
// HTML text and attribute values (Telegram's HTML parse mode): & < > ".
std::string EscapeHtml(absl::string_view text);

}  // namespace sa::notifier
