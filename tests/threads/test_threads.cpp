// Threads (docs/reliability.md, T1-T3): independent graphs in several threads, thread-local engine
// state, and concurrent backward passes into a shared leaf. Run under ThreadSanitizer by
// `scripts/check.sh --tsan` (the "[threads]" tag).
//
// Catch2 v2 assertions are not thread-safe, so worker threads only compute and record; every
// CHECK runs on the main thread after join().

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <xgrad/detail/thresholds.hpp>
#include <xgrad/xgrad.hpp>

namespace {

using xgrad::Tensor64;
using Array = xt::xarray<double>;

/// Same shape and the same bytes (so NaN payloads and -0.0 count too).
bool bitwise_equal(const Array& a, const Array& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

/// Starts `n` threads running body(i) at (nearly) the same moment and joins them. An exception
/// in a worker is rethrown here, on the calling thread.
void run_threads(std::size_t n, const std::function<void(std::size_t)>& body) {
  std::mutex m;
  std::condition_variable cv;
  std::size_t waiting = 0;
  bool go = false;
  std::vector<std::exception_ptr> errors(n);
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      {
        std::unique_lock<std::mutex> lock(m);
        ++waiting;
        cv.notify_all();
        cv.wait(lock, [&] { return go; });
      }
      try {
        body(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  {
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock, [&] { return waiting == n; });
    go = true;
  }
  cv.notify_all();
  for (auto& t : threads) t.join();
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

/// What one training run leaves behind: the parameters and the gradients of its last step.
struct RunResult {
  std::vector<Array> params;
  std::vector<Array> grads;
  double last_loss = 0.0;
};

/// The sizes of a batch-in-hidden-out MLP.
struct MlpSize {
  std::size_t batch = 16, in = 4, hidden = 8, out = 1;
};
/// 32x24 . 24x40 and 32x40 . 40x8: products of 30,720 and 10,240 multiply-adds, far above
/// detail::kSmallGemm, so every GEMM of forward and backward goes through OpenBLAS.
constexpr MlpSize kBlasMlp{32, 24, 40, 8};

/// A tanh/sigmoid MLP (4-8-1 by default) with its own parameters and data, drawn from
/// Generator(seed), trained for `iterations` steps of plain gradient descent: each step builds
/// a new graph, backpropagates it and updates the parameters in place.
RunResult train_mlp(std::uint64_t seed, int iterations, MlpSize size = {}) {
  xgrad::Generator gen(seed);
  const Tensor64 x = xgrad::randn<double>({size.batch, size.in}, gen);
  const Tensor64 y = xgrad::rand<double>({size.batch, size.out}, gen);
  Tensor64 w1 = xgrad::randn<double>({size.in, size.hidden}, gen, true);
  Tensor64 b1 = xgrad::randn<double>({size.hidden}, gen, true);
  Tensor64 w2 = xgrad::randn<double>({size.hidden, size.out}, gen, true);
  std::vector<Tensor64*> params{&w1, &b1, &w2};
  RunResult out;
  for (int it = 0; it < iterations; ++it) {
    const Tensor64 h = xgrad::tanh(xgrad::matmul(x, w1) + b1);
    const Tensor64 loss = xgrad::mse_loss(xgrad::sigmoid(xgrad::matmul(h, w2)), y);
    loss.backward();
    out.last_loss = loss.item();
    if (it + 1 == iterations) {
      for (Tensor64* p : params) out.grads.push_back(p->grad());
    }
    for (Tensor64* p : params) {
      p->mutable_value() -= 0.5 * p->grad();
      p->zero_grad();
    }
  }
  for (Tensor64* p : params) out.params.push_back(p->value());
  return out;
}

bool same_run(const RunResult& a, const RunResult& b) {
  if (a.params.size() != b.params.size() || a.grads.size() != b.grads.size()) return false;
  for (std::size_t i = 0; i < a.params.size(); ++i) {
    if (!bitwise_equal(a.params[i], b.params[i])) return false;
  }
  for (std::size_t i = 0; i < a.grads.size(); ++i) {
    if (!bitwise_equal(a.grads[i], b.grads[i])) return false;
  }
  return std::memcmp(&a.last_loss, &b.last_loss, sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("threads: 8 threads training their own graphs match a single-thread run bit for bit",
          "[threads]") {
  constexpr std::size_t kThreads = 8;
  constexpr int kIterations = 1000;
  std::vector<RunResult> reference;
  for (std::size_t t = 0; t < kThreads; ++t) reference.push_back(train_mlp(100 + t, kIterations));
  // The runs differ from one another, so a thread picking up another's state would show.
  REQUIRE_FALSE(same_run(reference[0], reference[1]));
  // Training did something: the loss went down from its first step.
  const RunResult one_step = train_mlp(100, 1);
  CHECK(reference[0].last_loss < one_step.last_loss);

  std::vector<RunResult> threaded(kThreads);
  run_threads(kThreads, [&](std::size_t t) { threaded[t] = train_mlp(100 + t, kIterations); });
  for (std::size_t t = 0; t < kThreads; ++t) {
    INFO("thread " << t);
    CHECK(same_run(threaded[t], reference[t]));
  }
}

// The same through OpenBLAS: every product is above the small-GEMM cutoff. ctest runs it with
// OPENBLAS_NUM_THREADS=1 (each call computes in its caller's thread) and again, as
// "threads: BLAS products ... (OpenBLAS pool of 2)", with OpenBLAS's own pool of two threads
// serving the calls of all eight (tests/CMakeLists.txt).
TEST_CASE("threads: 8 threads training BLAS-sized graphs match a single-thread run bit for bit",
          "[threads][blas]") {
  static_assert(kBlasMlp.batch * kBlasMlp.in * kBlasMlp.hidden > xgrad::detail::kSmallGemm);
  static_assert(kBlasMlp.batch * kBlasMlp.hidden * kBlasMlp.out > xgrad::detail::kSmallGemm);
  constexpr std::size_t kThreads = 8;
  constexpr int kIterations = 60;
  std::vector<RunResult> reference;
  for (std::size_t t = 0; t < kThreads; ++t) {
    reference.push_back(train_mlp(300 + t, kIterations, kBlasMlp));
  }
  REQUIRE_FALSE(same_run(reference[0], reference[1]));
  const RunResult one_step = train_mlp(300, 1, kBlasMlp);
  CHECK(reference[0].last_loss < one_step.last_loss);

  std::vector<RunResult> threaded(kThreads);
  run_threads(kThreads,
              [&](std::size_t t) { threaded[t] = train_mlp(300 + t, kIterations, kBlasMlp); });
  for (std::size_t t = 0; t < kThreads; ++t) {
    INFO("thread " << t);
    CHECK(same_run(threaded[t], reference[t]));
  }
}

TEST_CASE("threads: NoGradGuard in one thread does not affect another", "[threads][grad_mode]") {
  const Tensor64 w(Array{1.0, 2.0, 3.0}, true);
  std::promise<void> guard_active;
  std::promise<void> other_done;
  std::future<void> other_done_f = other_done.get_future();
  bool a_enabled_inside = true, a_result_requires_grad = true, a_enabled_after = false;
  bool b_enabled = false, b_result_requires_grad = false;

  std::thread a([&] {
    {
      xgrad::NoGradGuard no_grad;
      guard_active.set_value();
      other_done_f.wait();  // thread b runs while this guard is alive
      a_enabled_inside = xgrad::is_grad_enabled();
      a_result_requires_grad = (w * 2.0).requires_grad();
    }
    a_enabled_after = xgrad::is_grad_enabled();
  });
  std::thread b([&, active = guard_active.get_future()]() mutable {
    active.wait();
    b_enabled = xgrad::is_grad_enabled();
    b_result_requires_grad = (w * 2.0).requires_grad();
    other_done.set_value();
  });
  a.join();
  b.join();
  CHECK_FALSE(a_enabled_inside);
  CHECK_FALSE(a_result_requires_grad);
  CHECK(a_enabled_after);
  CHECK(b_enabled);
  CHECK(b_result_requires_grad);
}

TEST_CASE("threads: a new thread starts with grad mode on and anomaly mode off",
          "[threads][grad_mode]") {
  const Tensor64 w(Array{1.0, 2.0}, true);
  xgrad::NoGradGuard no_grad;
  xgrad::AnomalyGuard anomaly;
  REQUIRE_FALSE(xgrad::is_grad_enabled());
  REQUIRE(xgrad::is_anomaly_enabled());
  bool enabled = false, requires_grad = false, anomaly_on = true;
  std::thread t([&] {
    enabled = xgrad::is_grad_enabled();
    requires_grad = xgrad::exp(w).requires_grad();
    anomaly_on = xgrad::is_anomaly_enabled();
  });
  t.join();
  CHECK(enabled);
  CHECK(requires_grad);
  CHECK_FALSE(anomaly_on);
  // ... and this thread's modes are untouched by the other thread.
  CHECK_FALSE(xgrad::is_grad_enabled());
  CHECK(xgrad::is_anomaly_enabled());
}

TEST_CASE("threads: generators hold their own state, default_generator is per thread",
          "[threads][generator]") {
  constexpr std::size_t kThreads = 8;
  constexpr std::size_t kDraws = 20000;
  auto draw = [](xgrad::Generator& g) {
    std::vector<std::uint64_t> v(kDraws);
    for (auto& x : v) x = g.next_u64();
    return v;
  };
  xgrad::Generator ref_gen(7);
  const std::vector<std::uint64_t> reference = draw(ref_gen);
  xgrad::Generator def_ref(xgrad::Generator::kDefaultSeed);
  const std::vector<std::uint64_t> default_reference = draw(def_ref);

  std::vector<std::vector<std::uint64_t>> own(kThreads), from_default(kThreads);
  run_threads(kThreads, [&](std::size_t t) {
    xgrad::Generator g(7);
    own[t] = draw(g);
    // Each thread's default generator starts from kDefaultSeed, whatever the others draw.
    from_default[t] = draw(xgrad::nn::default_generator());
  });
  for (std::size_t t = 0; t < kThreads; ++t) {
    INFO("thread " << t);
    CHECK(own[t] == reference);
    CHECK(from_default[t] == default_reference);
  }
}

TEST_CASE("threads: 10 threads backpropagating into a shared leaf accumulate exactly",
          "[threads][shared]") {
  constexpr std::size_t kThreads = 10;
  constexpr int kPasses = 100;  // backward passes per thread
  // d/dw sum(w * c) = c, dyadic values: every partial sum k*c is exact in double.
  const Array c{0.5, -1.25, 2.0, 0.0, 3.75, -0.125};
  Tensor64 w(Array{1.0, -2.0, 3.0, -4.0, 5.0, -6.0}, true);
  const Tensor64 ct(c);

  SECTION("a single backward per thread gives 10 x g") {
    run_threads(kThreads, [&](std::size_t) { xgrad::sum(w * ct).backward(); });
    REQUIRE(w.has_grad());
    CHECK(bitwise_equal(w.grad(), Array(static_cast<double>(kThreads) * c)));
  }
  SECTION("many backward passes per thread give passes x threads x g") {
    run_threads(kThreads, [&](std::size_t) {
      for (int i = 0; i < kPasses; ++i) xgrad::sum(w * ct).backward();
    });
    REQUIRE(w.has_grad());
    CHECK(bitwise_equal(w.grad(), Array(static_cast<double>(kThreads * kPasses) * c)));
  }
}

TEST_CASE("threads: shared MLP parameters, per-thread data: the sum of the per-thread gradients",
          "[threads][shared]") {
  constexpr std::size_t kThreads = 10;
  xgrad::Generator gen(2024);
  Tensor64 w1 = xgrad::randn<double>({3, 5}, gen, true);
  Tensor64 w2 = xgrad::randn<double>({5, 1}, gen, true);
  const Tensor64 x = xgrad::randn<double>({4, 3}, gen);
  auto loss_of = [&] {
    return xgrad::sum(xgrad::sigmoid(xgrad::matmul(xgrad::tanh(xgrad::matmul(x, w1)), w2)));
  };
  // Every thread backpropagates the same loss, so each adds the same g and the order of the
  // additions cannot change the result: it must equal 10 additions of g in one thread.
  for (std::size_t i = 0; i < kThreads; ++i) loss_of().backward();
  const Array ref1 = w1.grad(), ref2 = w2.grad();
  w1.zero_grad();
  w2.zero_grad();
  loss_of().backward();
  const Array g1 = w1.grad();
  w1.zero_grad();
  w2.zero_grad();

  run_threads(kThreads, [&](std::size_t) { loss_of().backward(); });
  CHECK(bitwise_equal(w1.grad(), ref1));
  CHECK(bitwise_equal(w2.grad(), ref2));
  // And that is 10 x g up to rounding.
  for (std::size_t i = 0; i < g1.size(); ++i) {
    CHECK(w1.grad().data()[i] == Approx(10.0 * g1.data()[i]).epsilon(1e-12).margin(1e-15));
  }
}

namespace {

// live_node_count() sums per-thread counts: a node made in one thread and freed in another,
// and the counts of threads that have ended, must still add up exactly.
TEST_CASE("threads: live_node_count is exact across threads that make, free and end", "[threads]") {
  const std::size_t baseline = xgrad::live_node_count();
  constexpr std::size_t kThreads = 4;
  constexpr std::size_t kPerThread = 50;
  std::vector<std::vector<Tensor64>> made(kThreads);
  run_threads(kThreads, [&](std::size_t t) {
    Tensor64 x = xgrad::full<double>({3}, 0.5, true);
    for (std::size_t i = 0; i < kPerThread; ++i) made[t].push_back(xgrad::sigmoid(x * 2.0));
  });  // the workers have ended: their counts were folded into the global one
  CHECK(xgrad::live_node_count() == baseline + kThreads * (2 * kPerThread + 1));
  // freed here, made there (and vice versa: main-thread nodes freed by workers)
  made[0].clear();
  CHECK(xgrad::live_node_count() == baseline + (kThreads - 1) * (2 * kPerThread + 1));
  std::vector<Tensor64> from_main;
  for (std::size_t i = 0; i < kThreads; ++i) from_main.push_back(xgrad::full<double>({2}, 1.0));
  run_threads(kThreads, [&](std::size_t t) {
    made[t].clear();
    from_main[t] = Tensor64();
  });
  CHECK(xgrad::live_node_count() == baseline);
}

}  // namespace
