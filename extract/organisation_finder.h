// Organisations of an article: the gazetteer's (confidence 1), then unknown ones named by their
// last word ("Wagner Group", confidence 0.5).
#pragma once

#include "extract/article_text.h"
#include "extract/gazetteer.h"
#include "summit_alerts/v1/events.pb.h"

namespace sa::extract {

// Adds at most kMaxOrganisations organisations to `event`, gazetteer entries first, each in
// order of first mention.
void AddOrganisations(const Gazetteer& gazetteer, const ArticleText& text,
                      summit_alerts::v1::Event& event);

}  // namespace sa::extract
