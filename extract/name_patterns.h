// Capitalised names that no dictionary knows, found by the words around them: a title before a
// name ("Governor Mike Dunleavy", "Finnish President Sauli Niinistö", "президент Финляндии
// Саули Ниинистё", "le président russe Vladimir Poutine"), a reporting verb next to it ("Jane
// Doe said", "sagte Olaf Scholz", "заявил Дмитрий Песков"), an organisation word ending it
// ("Wagner Group"). Titles and reporting verbs are known in English, Russian, German, French,
// Spanish, Italian, Portuguese and Greek.
//
// Precision first: a name is one to three capitalised words (particles such as "von der", "da",
// "bin" inside), none of them a month, a weekday, a function word, a title word, an
// all-capitals abbreviation (USA, США, NATO) or a word that names a thing ("Street", "Bank");
// a name the gazetteer knows as a place or an organisation is not a person. A single word is a
// surname only right after a title. Each scan is linear in the field's tokens.
#pragma once

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "extract/article_text.h"
#include "extract/gazetteer.h"

namespace sa::extract {

struct FoundName {
  std::string name;             // e.g. "Mike Dunleavy"
  std::string title;            // the title before it, as written ("Governor"); may be empty
  uint32_t begin = 0, end = 0;  // byte offsets of `name` in the text
  std::string country;          // ISO alpha-2 from an apposition ("Finnish President"); or ""
};

// Each callback returns false to stop the scan (the event is full).
using FoundNameVisitor = absl::FunctionRef<bool(const FoundName&)>;

// Names after a title: "Governor Mike Dunleavy", "aide Yuri Ushakov", "Foreign Minister Sergei
// Lavrov", "Bundeskanzler Olaf Scholz", "le ministre des Affaires étrangères Jean Dupont". The
// title may be followed by words of its own (of, des Affaires étrangères, иностранных дел), one
// lower-case word ("russe", "ruso") or places the gazetteer knows ("of Finland", "России"),
// and by a comma. A demonym before the title or a place after it gives the country.
void ForEachTitledName(const FieldText& field, const Gazetteer& gazetteer, FoundNameVisitor visit);

// Two or three capitalised words next to a reporting verb: before it ("Maria Petrova said",
// "Maria Petrova, 45, said" is not matched) or right after it ("sagte Olaf Scholz", "dijo Pedro
// Sánchez", "заявил Дмитрий Песков"), unless a word marks a sentence start, a place or an
// organisation ("Officials said", "Downing Street said").
void ForEachReportedPerson(const FieldText& field, const Gazetteer& gazetteer,
                           FoundNameVisitor visit);

// Two or three capitalised name words starting with a given name of the people list
// (Gazetteer::given_names: "Dmitry Kiselyov"): people named with no title or reporting verb
// beside them. Not in a Title Case field (a headline whose words are all capitalised), where
// any capital pair would qualify; not a name followed by another capitalised word (a thing
// named after a person: "Robert Menzies Institute"); not a demonym's phrase or a known place.
void ForEachGivenNamePerson(const FieldText& field, const Gazetteer& gazetteer,
                            FoundNameVisitor visit);

// Two or three name words in mid-sentence: after a word written in lower case, within the
// sentence ("a ministra Maria Lúcia Amaral", "заявила Анна Смирнова"), not followed by another
// capital, with no demonym, known place or organisation in them. Only for languages that
// capitalise nothing but proper nouns (the caller decides: not English, whose organisations and
// offices are capitalised words, nor German, which capitalises every noun).
void ForEachMidSentenceName(const FieldText& field, const Gazetteer& gazetteer,
                            FoundNameVisitor visit);

// One to five capitalised words (with and/of/for/on between) ending in an organisation word
// ("Cybersecurity and Infrastructure Security Agency"); a leading "The " is dropped.
void ForEachOrganisationName(absl::string_view text, FoundNameVisitor visit);

}  // namespace sa::extract
