#include "extract/world_places.h"

#include <geonames.h>

#include <fstream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "extract/gettext_catalog.h"
#include "nlohmann/json.hpp"

namespace sa::extract {
namespace {

using Translations = absl::flat_hash_map<std::string, std::vector<std::string>>;

// msgid -> its translations in every configured language that has the catalogue `domain`.
absl::StatusOr<Translations> ReadTranslations(const WorldPlacesOptions& options,
                                              const std::string& domain) {
  Translations out;
  for (const std::string& lang : options.languages) {
    const std::string path =
        absl::StrCat(options.locale_dir, "/", lang, "/LC_MESSAGES/", domain, ".mo");
    auto messages = ReadGettextCatalog(path);
    if (absl::IsNotFound(messages.status())) continue;
    if (!messages.ok()) return messages.status();
    for (GettextMessage& m : *messages) {
      if (m.translation != m.id) out[m.id].push_back(std::move(m.translation));
    }
  }
  return out;
}

// msgid -> English name from the "en" catalogue of `domain` (iso-codes and GeoNames keep
// local or formal names as msgids: "Bayern" → "Bavaria").
absl::flat_hash_map<std::string, std::string> EnglishNames(const WorldPlacesOptions& options,
                                                           const std::string& domain) {
  absl::flat_hash_map<std::string, std::string> out;
  auto messages =
      ReadGettextCatalog(absl::StrCat(options.locale_dir, "/en/LC_MESSAGES/", domain, ".mo"));
  if (!messages.ok()) return out;
  for (GettextMessage& m : *messages) out[m.id] = std::move(m.translation);
  return out;
}

absl::StatusOr<nlohmann::json> ReadJson(const std::string& path, const char* key) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(
        "cannot open ", path, " (Debian package iso-codes; see tools/install-deps.sh)"));
  }
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains(key) || !doc[key].is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not an iso-codes file (no array \"", key, "\")"));
  }
  return doc[key];
}

std::string StringField(const nlohmann::json& item, const char* key) {
  auto it = item.find(key);
  return it != item.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void AddTranslations(const Translations& translations, const std::string& id, WorldPlace& place) {
  if (auto it = translations.find(id); it != translations.end()) {
    place.names.insert(place.names.end(), it->second.begin(), it->second.end());
  }
}

}  // namespace

absl::StatusOr<std::vector<WorldPlace>> LoadIsoPlaces(const WorldPlacesOptions& options) {
  std::vector<WorldPlace> places;
  const std::string countries_path = options.iso_codes_dir + "/iso_3166-1.json";
  auto countries = ReadJson(countries_path, "3166-1");
  if (!countries.ok()) return countries.status();
  auto country_names = ReadTranslations(options, "iso_3166-1");
  if (!country_names.ok()) return country_names.status();
  absl::flat_hash_map<std::string, std::string> country_name_of;
  for (const nlohmann::json& item : *countries) {
    WorldPlace p;
    p.code = StringField(item, "alpha_2");
    const std::string name = StringField(item, "name");
    if (p.code.size() != 2 || name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(countries_path, ": an entry without alpha_2 or name"));
    }
    p.kind = "country";
    p.country = p.code;
    const std::string common = StringField(item, "common_name");
    const std::string official = StringField(item, "official_name");
    p.name = common.empty() ? name : common;
    for (const std::string& n : {name, common, official}) {
      if (n.empty()) continue;
      if (n != p.name) p.names.push_back(n);
      AddTranslations(*country_names, n, p);
    }
    country_name_of[p.code] = p.name;
    places.push_back(std::move(p));
  }

  const std::string subdivisions_path = options.iso_codes_dir + "/iso_3166-2.json";
  auto subdivisions = ReadJson(subdivisions_path, "3166-2");
  if (!subdivisions.ok()) return subdivisions.status();
  auto subdivision_names = ReadTranslations(options, "iso_3166-2");
  if (!subdivision_names.ok()) return subdivision_names.status();
  const auto english = EnglishNames(options, "iso_3166-2");
  for (const nlohmann::json& item : *subdivisions) {
    WorldPlace p;
    p.code = StringField(item, "code");
    const std::string name = StringField(item, "name");
    if (p.code.size() < 4 || p.code[2] != '-' || name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(subdivisions_path, ": an entry without a code like \"US-WA\" or a name"));
    }
    p.kind = absl::AsciiStrToLower(StringField(item, "type"));
    p.country = p.code.substr(0, 2);
    p.name = name;
    if (auto it = english.find(name); it != english.end()) {
      p.name = it->second;
      p.names.push_back(name);
    }
    p.region = p.name;
    AddTranslations(*subdivision_names, name, p);
    places.push_back(std::move(p));
  }
  return places;
}

absl::StatusOr<std::vector<WorldPlace>> LoadGeonamesCities(const WorldPlacesOptions& options) {
  auto translations = ReadTranslations(options, "geonames");
  if (!translations.ok()) return translations.status();
  const auto english = EnglishNames(options, "geonames");
  std::vector<WorldPlace> cities;
  const int n = geonames_get_n_cities();
  if (n <= 0) {
    return absl::NotFoundError(
        "libgeonames has no cities (Debian packages libgeonames0 and libgeonames-common)");
  }
  cities.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    GeonamesCity* city = geonames_get_city(i);
    if (city == nullptr) continue;
    // The record is (id, name, admin1 code, state, country code, country, timezone,
    // population, latitude, longitude); the API has no getter for the id, and its name getter
    // translates with the process locale, so the record's own (English) strings are read.
    if (!g_variant_is_of_type(city, G_VARIANT_TYPE("(sssssssudd)"))) {
      geonames_city_free(city);
      return absl::InternalError(
          "libgeonames: city records are not (sssssssudd); this libgeonames version is unknown");
    }
    WorldPlace p;
    auto child = [&](size_t i) {
      GVariant* v = g_variant_get_child_value(city, i);
      std::string out = g_variant_get_string(v, nullptr);
      g_variant_unref(v);
      return out;
    };
    p.code = child(0);
    p.name = child(1);
    p.region = child(3);
    const char* cc = geonames_city_get_country_code(city);
    p.country = cc ? cc : "";
    p.kind = "city";
    p.lat = geonames_city_get_latitude(city);
    p.lon = geonames_city_get_longitude(city);
    p.population = geonames_city_get_population(city);
    geonames_city_free(city);
    if (p.name.empty()) continue;
    if (auto it = english.find(p.code); it != english.end() && it->second != p.name) {
      p.names.push_back(std::move(p.name));
      p.name = it->second;
    }
    if (!p.code.empty()) AddTranslations(*translations, p.code, p);
    cities.push_back(std::move(p));
  }
  return cities;
}

}  // namespace sa::extract
