# syntax=docker/dockerfile:1
# The `recur` binary in a small image, for the monthly job without a Rust toolchain:
#
#   docker build -t recur .
#   docker run --rm recur review --out /tmp/review          # the bundled sample (embedded)
#   docker run --rm -u "$(id -u):$(id -g)" -v "$PWD:/work" recur \
#       review exports/ --follow-ups exports/follow_ups.csv --out review
#
# Stage 1 builds with the `dist` profile of Cargo.toml; cargo-chef caches the dependencies
# (polars) in their own layer, so a change to recur's code does not rebuild them. Stage 2 is
# distroless (glibc and libgcc, no shell): the bundled sample is embedded in the binary, so the
# image needs no data files.

FROM rust:1.95-slim-bookworm AS chef
RUN cargo install cargo-chef --locked --version ^0.1
WORKDIR /src

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS build
COPY --from=planner /src/recipe.json recipe.json
RUN cargo chef cook --profile dist --locked --package recur-cli --recipe-path recipe.json
COPY . .
RUN cargo build --profile dist --locked --package recur-cli \
 && cp target/dist/recur /usr/local/bin/recur

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /usr/local/bin/recur /usr/local/bin/recur
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/recur"]
CMD ["--help"]
