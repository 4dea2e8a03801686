// A bounded reader of GNU gettext message catalogues (.mo files), used to read the translated
// place names that Debian's iso-codes and libgeonames packages install under
// /usr/share/locale/<lang>/LC_MESSAGES/. Only singular messages are kept (plural entries and the
// header are skipped); every offset is checked against the file size, so a truncated or hostile
// file gives an error, never a crash.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sa::extract {

struct GettextMessage {
  std::string id;           // msgid (the untranslated text)
  std::string translation;  // msgstr
};

// Parses the bytes of a .mo file (either byte order). InvalidArgument naming `name` and the
// problem (bad magic, unknown revision, a table or string outside the file, a string without
// its NUL) for a malformed file. Messages with an empty translation are skipped.
absl::StatusOr<std::vector<GettextMessage>> ParseGettextCatalog(absl::string_view data,
                                                                absl::string_view name);

// Reads and parses `path`; NotFound when it does not exist, InvalidArgument when it is larger
// than `max_bytes` or malformed.
absl::StatusOr<std::vector<GettextMessage>> ReadGettextCatalog(const std::string& path,
                                                               size_t max_bytes = 64 << 20);

}  // namespace sa::extract
