// The dictionaries extraction works from: people, places, topics and event-type cues, loaded
// from TSV files (data/gazetteer/*.tsv) at start-up and replaceable without recompiling.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/text/phrase_index.h"
#include "extract/cue_index.h"
#include "extract/language_detector.h"
#include "extract/world_places.h"

namespace sa::extract {

// A row of people.tsv: name, role ("Former …" once the office is left), country (ISO alpha-2;
// empty for an international office), aliases, and as_of: the date ("YYYY-MM-DD") as of which
// the role is believed true; "" in a file without that column.
struct PersonEntry {
  std::string name, role, country;
  std::vector<std::string> aliases;
  std::string as_of;
};
struct PlaceEntry {
  std::string name, region, country;
  double lat = 0, lon = 0;
  std::vector<std::string> aliases;  // the usual other names (reported with the place)
  // "country", "city", a subdivision type ("state", "province", …), "continent", "region",
  // "sea", "venue", … (place_finder's confidence depends on it).
  std::string kind;
  uint32_t population = 0;   // GeoNames cities; 0 when unknown
  bool person_name = false;  // also a common personal name (Jordan, Chad): needs context
  bool curated = false;      // a places.tsv row: chosen by hand, full confidence
};
struct OrganisationEntry {
  std::string name, kind, country;
  std::vector<std::string> aliases;
};
struct TopicEntry {
  std::string name;
  std::string iptc_id;  // "medtop:11000000"; "" when the taxonomy has none
  std::string parent;   // the parent topic's name; "" for a top-level topic
};
// A row of event_types.tsv. Its cue phrases are numbered in the order: `cues` (decide the type
// alone), then `weak` (ambiguous words such as "summit" or "talks": they count only in an
// article with diplomatic actors), then `vetoes` (context that cancels a weak cue near it).
struct EventTypeEntry {
  std::string type;
  uint32_t cues = 0, weak = 0, vetoes = 0;  // how many of each
  std::string topic;  // the topic such an event implies ("diplomacy"); "" for none
};

// Immutable after loading; safe to share between threads.
class Gazetteer {
 public:
  // Loads people.tsv, places.tsv, topics.tsv, event_types.tsv and (if present)
  // organisations.tsv from `directory`.
  // InvalidArgument naming file and line for malformed rows; NotFound for a missing file.
  static absl::StatusOr<Gazetteer> LoadFromDirectory(const std::string& directory);
  // What to load besides the directory's files: the packaged world places (iso-codes countries
  // and subdivisions, GeoNames cities; world_places.h), on by default.
  struct Options {
    bool world_places = true;
    WorldPlacesOptions world;
  };
  static absl::StatusOr<Gazetteer> LoadFromDirectory(const std::string& directory,
                                                     const Options& options);
  // What a service does at start-up: resolves `configured_dir` (empty: the default places,
  // config::FindDataDirectory), loads it with `options` and logs what it loaded.
  static absl::StatusOr<std::shared_ptr<const Gazetteer>> LoadForService(
      const std::string& configured_dir, const Options& options);

  const std::vector<PersonEntry>& people() const { return people_; }
  // The first words (normalised, 3 bytes or more) of the listed people's names and aliases of
  // two words or more ("donald", "vladimir", "владимир"): given names, which make a capitalised
  // pair such as "Paul Whelan" a person's name (name_patterns.h).
  const absl::flat_hash_set<std::string>& given_names() const { return given_names_; }
  const std::vector<PlaceEntry>& places() const { return places_; }
  const std::vector<OrganisationEntry>& organisations() const { return organisations_; }
  const std::vector<TopicEntry>& topics() const { return topics_; }
  const std::vector<EventTypeEntry>& event_types() const { return event_types_; }

  // Phrase indexes whose values are indexes into the vectors above. Topic and event-type cue
  // values are (entry index << 16 | cue index), so a hit also names its cue phrase.
  const text::PhraseIndex& people_index() const { return people_index_; }
  const text::PhraseIndex& places_index() const { return places_index_; }
  const text::PhraseIndex& organisations_index() const { return organisations_index_; }
  const CueIndex& topic_cues() const { return topic_cues_; }
  const CueIndex& event_type_cues() const { return event_type_cues_; }
  // Phrases that show diplomatic actors (event_types.tsv's "@actors" row); values are cue
  // indexes into diplomatic_actor_texts().
  const CueIndex& diplomatic_actor_cues() const { return diplomatic_actor_cues_; }
  const std::vector<std::string>& diplomatic_actor_texts() const { return diplomatic_actor_texts_; }
  // The cue phrase (as written in the file) for a topic / event-type index value.
  const std::string& cue_text(uint32_t value, bool topic) const;

  // The same names stemmed (stemmer.h: each word in every stemmer of its script), matched
  // against ArticleText's stemmed tokens, so "Путина" finds "Путин" and "Moskve" "Moskva".
  const text::PhraseIndex& people_stems() const { return people_stems_; }
  const text::PhraseIndex& places_stems() const { return places_stems_; }
  const text::PhraseIndex& organisations_stems() const { return organisations_stems_; }

  // Demonyms and country adjectives in several languages (data/gazetteer/demonyms.tsv:
  // "Russian", "russe", "российский", "deutsche"): index values are indexes into
  // demonym_countries() (ISO alpha-2). A country signal, never a place.
  const text::PhraseIndex& demonym_index() const { return demonym_index_; }
  const text::PhraseIndex& demonym_stems() const { return demonym_stems_; }
  const std::vector<std::string>& demonym_countries() const { return demonym_countries_; }
  // The country (ISO alpha-2) of a demonym phrase ("Finnish", "финский" → "FI"), as written
  // or inflected in `language` (ISO 639-1, may be empty); "" when it is none.
  std::string CountryOfDemonym(absl::string_view phrase, absl::string_view language = "") const;

  // Place names that count only when written exactly so ("US", "UK": not the pronoun "us"):
  // normalised phrase -> the exact forms.
  const std::vector<std::string>* ExactForms(const std::string& normalized_phrase) const;

  // The language detector over the directory's languages.conf (null when the file is absent:
  // scripts alone decide).
  const LanguageDetector* language_detector() const { return language_detector_.get(); }

  // Whether `name` is, or contains, a known person, place or organisation.
  bool Knows(absl::string_view name) const;

 private:
  // One loader per file, each in its own gazetteer_<file>.cc.
  absl::Status LoadPeople(const std::string& directory);
  absl::Status LoadPlaces(const std::string& directory);
  absl::Status LoadOrganisations(const std::string& directory);  // optional file
  absl::Status LoadTopics(const std::string& directory);
  absl::Status LoadEventTypes(const std::string& directory);
  // data/gazetteer/place_names.tsv and demonyms.tsv, and the world places (gazetteer_places.cc).
  absl::Status LoadWorldPlaces(const std::string& directory, const Options& options);
  absl::Status LoadDemonyms(const std::string& directory);
  absl::Status LoadLanguageDetector(const std::string& directory);
  // people_stems_ and organisations_stems_ from the loaded entries (gazetteer_stems.cc).
  void BuildNameStems();

  std::vector<PersonEntry> people_;
  absl::flat_hash_set<std::string> given_names_;
  std::vector<PlaceEntry> places_;
  std::vector<OrganisationEntry> organisations_;
  std::vector<TopicEntry> topics_;
  std::vector<EventTypeEntry> event_types_;
  std::vector<std::vector<std::string>> topic_cue_texts_, event_type_cue_texts_;
  text::PhraseIndex people_index_, places_index_, organisations_index_;
  CueIndex topic_cues_, event_type_cues_, diplomatic_actor_cues_;
  std::vector<std::string> diplomatic_actor_texts_;
  text::PhraseIndex people_stems_, places_stems_, organisations_stems_;
  text::PhraseIndex demonym_index_, demonym_stems_;
  std::vector<std::string> demonym_countries_;
  absl::flat_hash_map<std::string, std::vector<std::string>> exact_forms_;
  std::shared_ptr<const LanguageDetector> language_detector_;
};

}  // namespace sa::extract
