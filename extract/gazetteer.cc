#include "extract/gazetteer.h"

#include "common/config/data_dir.h"
#include "common/log/log.h"
#include "common/text/tokenize.h"

namespace sa::extract {

bool Gazetteer::Knows(absl::string_view name) const {
  std::vector<text::Token> tokens = text::Tokenize(name);
  return !people_index_.FindAll(tokens).empty() || !places_index_.FindAll(tokens).empty() ||
         !organisations_index_.FindAll(tokens).empty();
}

const std::string& Gazetteer::cue_text(uint32_t value, bool topic) const {
  const auto& texts = topic ? topic_cue_texts_ : event_type_cue_texts_;
  return texts[value >> 16][value & 0xffff];
}

absl::StatusOr<std::shared_ptr<const Gazetteer>> Gazetteer::LoadForService(
    const std::string& configured_dir, const Options& options) {
  auto directory = config::FindDataDirectory(configured_dir, "gazetteer");
  if (!directory.ok()) return directory.status();
  auto gazetteer = LoadFromDirectory(*directory, options);
  if (!gazetteer.ok()) return gazetteer.status();
  log::Info("gazetteer.loaded", {{"dir", *directory},
                                 {"people", gazetteer->people().size()},
                                 {"places", gazetteer->places().size()},
                                 {"topics", gazetteer->topics().size()},
                                 {"world_places", options.world_places}});
  return std::make_shared<const Gazetteer>(std::move(*gazetteer));
}

absl::StatusOr<Gazetteer> Gazetteer::LoadFromDirectory(const std::string& directory) {
  return LoadFromDirectory(directory, Options{});
}

absl::StatusOr<Gazetteer> Gazetteer::LoadFromDirectory(const std::string& directory,
                                                       const Options& options) {
  Gazetteer g;
  absl::Status s = g.LoadPeople(directory);
  if (s.ok()) s = g.LoadPlaces(directory);
  if (s.ok()) s = g.LoadWorldPlaces(directory, options);
  if (s.ok()) s = g.LoadDemonyms(directory);
  if (s.ok()) s = g.LoadLanguageDetector(directory);
  if (s.ok()) s = g.LoadOrganisations(directory);
  if (s.ok()) s = g.LoadTopics(directory);
  if (s.ok()) s = g.LoadEventTypes(directory);
  if (!s.ok()) return s;
  g.BuildNameStems();
  return g;
}

}  // namespace sa::extract
