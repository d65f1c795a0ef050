#pragma once
// A site hook that lives as long as an object: the constructor installs it (an error naming the
// site if the site already has a hook of that kind, so a caller's hook is never replaced) and the
// destructor removes it on every path, exceptions included. The model must outlive it.
#include <utility>

#include "model/gpt.h"

namespace vrev::model {

enum class HookKind { Forward, Backward };

template <class T>
class ScopedHook {
 public:
  ScopedHook(Gpt<T>& model, HookKind kind, int site, std::function<void(T*, const Shape&)> hook)
      : model_(&model), kind_(kind), site_(site) {
    set(std::move(hook));
  }
  ScopedHook(ScopedHook&& other) noexcept
      : model_(std::exchange(other.model_, nullptr)), kind_(other.kind_), site_(other.site_) {}
  ScopedHook(const ScopedHook&) = delete;
  ScopedHook& operator=(const ScopedHook&) = delete;
  ScopedHook& operator=(ScopedHook&&) = delete;
  ~ScopedHook() {
    if (model_) set(nullptr);
  }

 private:
  void set(std::function<void(T*, const Shape&)> hook) {
    if (kind_ == HookKind::Forward) {
      model_->set_forward_hook(site_, std::move(hook));
    } else {
      model_->set_backward_hook(site_, std::move(hook));
    }
  }

  Gpt<T>* model_;
  HookKind kind_;
  int site_;
};

}  // namespace vrev::model
