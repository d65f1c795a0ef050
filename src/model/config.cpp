// Cross-field checks of the model configuration.
#include "model/config.h"

namespace vrev::model {

void ModelConfig::validate() const {
  VREV_CHECK(vocab_size > 0, "config: 'model.vocab_size' must be set (> 0)");
  VREV_CHECK(width % heads == 0, "config: 'model.width' (", width, ") must be divisible by 'model.heads' (",
             heads, ")");
}

}  // namespace vrev::model
