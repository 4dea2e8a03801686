// Capitalised names that no dictionary knows, found by the words around them: a title before a
// name ("Governor Mike Dunleavy"), a reporting verb after it ("Jane Doe said"), an
// organisation word ending it ("Wagner Group"). Pure functions over one field's text.
#pragma once

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"

namespace sa::extract {

struct FoundName {
  std::string name;             // e.g. "Mike Dunleavy"
  std::string title;            // the title before it, as written ("Governor"); may be empty
  uint32_t begin = 0, end = 0;  // byte offsets of `name` in the text
};

// Each callback returns false to stop the scan (the event is full).
using FoundNameVisitor = absl::FunctionRef<bool(const FoundName&)>;

// Names after a title: "Governor Mike Dunleavy", "aide Yuri Ushakov", "Foreign Minister Sergei
// Lavrov". One to three capitalised words; the title decides it is a person.
void ForEachTitledName(absl::string_view text, FoundNameVisitor visit);

// Two or three capitalised words before a reporting verb ("Maria Petrova said"), unless a word
// marks a sentence start, a place or an organisation ("Officials said", "Downing Street said").
void ForEachReportedPerson(absl::string_view text, FoundNameVisitor visit);

// One to five capitalised words (with and/of/for/on between) ending in an organisation word
// ("Cybersecurity and Infrastructure Security Agency"); a leading "The " is dropped.
void ForEachOrganisationName(absl::string_view text, FoundNameVisitor visit);

}  // namespace sa::extract
