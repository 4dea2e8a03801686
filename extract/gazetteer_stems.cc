#include "extract/gazetteer.h"
#include "extract/stemmer.h"

namespace sa::extract {

void Gazetteer::BuildNameStems() {
  for (uint32_t id = 0; id < people_.size(); ++id) {
    AddStemmedPhrase(people_stems_, people_[id].name, id);
    for (const std::string& alias : people_[id].aliases) AddStemmedPhrase(people_stems_, alias, id);
  }
  for (uint32_t id = 0; id < organisations_.size(); ++id) {
    AddStemmedPhrase(organisations_stems_, organisations_[id].name, id);
    for (const std::string& alias : organisations_[id].aliases) {
      AddStemmedPhrase(organisations_stems_, alias, id);
    }
  }
}

}  // namespace sa::extract
