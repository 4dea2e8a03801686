// Whether a string is a language tag (BCP 47, loosely): a primary subtag of 2-3 letters, then
// subtags of 1-8 letters or digits separated by '-' or '_' ("en", "ru-RU", "zh_Hant_TW").
// Language names ("Hindi", "English") are not. One rule for every input path: the article
// validator refuses other values, and feed entries drop them so detection decides.
#pragma once

#include "absl/strings/string_view.h"

namespace sa::text {

bool IsLanguageTag(absl::string_view tag);

}  // namespace sa::text
