// Readers of the packaged world gazetteers that extraction loads at start-up:
// - countries (ISO 3166-1) and their subdivisions (ISO 3166-2) from Debian's iso-codes JSON
//   (/usr/share/iso-codes/json/iso_3166-{1,2}.json), with their names in other languages from
//   its gettext catalogues (<locale_dir>/<lang>/LC_MESSAGES/iso_3166-{1,2}.mo);
// - cities of at least 15,000 people from GeoNames as Debian's libgeonames0 packages it (the
//   library's built-in city table), with translated names from its catalogues
//   (<locale_dir>/<lang>/LC_MESSAGES/geonames.mo, keyed by GeoNames id).
// Internal to sa::extract (the Gazetteer merges these with data/gazetteer/ files).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sa::extract {

struct WorldPlace {
  std::string code;     // "RU" (country), "US-WA" (subdivision), GeoNames id (city)
  std::string kind;     // "country", a subdivision type in lower case ("state"), or "city"
  std::string name;     // English name (iso-codes' common name when it has one)
  std::string region;   // subdivision or state name ("" for countries)
  std::string country;  // ISO 3166-1 alpha-2
  double lat = 0, lon = 0;
  uint32_t population = 0;
  std::vector<std::string> names;  // every other name: official, translations
};

struct WorldPlacesOptions {
  std::string iso_codes_dir = "/usr/share/iso-codes/json";
  std::string locale_dir = "/usr/share/locale";
  // Catalogue directories to read translated names from ("zh_CN" as the locale names it).
  std::vector<std::string> languages = {"en", "ru", "de", "fr", "es", "it", "pt", "uk",
                                        "pl", "sk", "cs", "el", "ur", "ar", "hi", "zh_CN",
                                        "ja", "tr", "be", "nl", "sv", "fa", "ko", "bg"};
  bool cities = true;
};

// Countries then subdivisions. NotFound naming the file when an iso-codes JSON file is
// missing, InvalidArgument naming it when it is malformed. A missing catalogue of one language
// is skipped (not every language has one); a malformed one is an error naming it.
absl::StatusOr<std::vector<WorldPlace>> LoadIsoPlaces(const WorldPlacesOptions& options);

// GeoNames cities (kind "city") with their translated names.
absl::StatusOr<std::vector<WorldPlace>> LoadGeonamesCities(const WorldPlacesOptions& options);

}  // namespace sa::extract
