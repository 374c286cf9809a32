# semcom: two commands from a clean clone.
#   make test   set up .venv (torch first), fetch the offline assets, run the fast tests, build the docs
#   make demo   same set-up, then the demo sweep (experiments/sweeps/demo.toml) and its plots
# Users on other platforms choose their torch build, e.g.
#   make test TORCH_SPEC="torch==2.9.1" TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cu128"

PYTHON        ?= python3
VENV          ?= .venv
TORCH_SPEC    ?= torch==2.13.0
TORCH_PIP_ARGS ?=
PYTEST_ARGS   ?=
BIN           := $(VENV)/bin
INSTALLED     := $(VENV)/.semcom-installed

.PHONY: install assets test test-all docs demo results curves lint bench clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)" $(TORCH_PIP_ARGS)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(INSTALLED)

assets: $(INSTALLED)
	$(BIN)/semcom assets fetch

test: assets
	$(BIN)/python -m pytest -m "not slow" -n 2 $(PYTEST_ARGS)
	$(MAKE) docs

# the documentation site (docs/), warnings as errors; needs no network, assets or runs/
docs: $(INSTALLED)
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

test-all: assets
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

demo: assets
	$(BIN)/semcom sweep experiments/sweeps/demo.toml --overwrite
	$(BIN)/semcom plot results/demo

# every committed table and figure that depends on the bundled receiver, in the order they build
# on each other (about 16 min on 2 cores); the slow ones (FID rows, DiMViDA) are in results/*/README.md
results: assets curves
	$(BIN)/semcom evaluate --dataset mvshapes --n 1000
	$(BIN)/semcom evaluate --dataset mvshapes --n 1000 --imputer mvld,smvae,mopoe,mvae
	$(BIN)/semcom impute --dataset mvshapes --observed 0 --n 8 --out results/mvshapes/impute_front.png
	$(BIN)/semcom impute --dataset mvshapes --observed 0,2 --n 8 --out results/mvshapes/impute_front_back.png
	$(BIN)/semcom evaluate --dataset polymnist --n 1000 --guidance 2
	$(BIN)/semcom evaluate --dataset polymnist --n 1000 --guidance 2 --imputer mvld --out results/polymnist/imputers.csv
	$(BIN)/semcom impute --dataset polymnist --observed 0,1 --n 6 --guidance 2 --out results/polymnist/impute_grid.png
	$(BIN)/semcom sweep experiments/sweeps/tradeoff.toml --overwrite
	$(BIN)/semcom plot results/tradeoff
	$(BIN)/semcom sweep experiments/sweeps/tradeoff_tdl.toml --overwrite
	$(BIN)/semcom plot results/tradeoff_tdl
	$(BIN)/semcom sweep experiments/sweeps/harq_ir.toml --overwrite
	$(BIN)/semcom plot results/harq_ir
	$(MAKE) demo

# the learning curves of the bundled models, from their committed training logs (seconds)
MV := results/mvshapes/training
PM := results/polymnist/training
curves: $(INSTALLED)
	$(BIN)/semcom train curves --model "score net (bundled: Min-SNR-5, cosine to 25,000 steps)=$(MV)/diffusion_minsnr5_long_log.csv" \
	    --model "score net without Min-SNR weights (constant rate)=$(MV)/diffusion_log.csv" \
	    --out $(MV)/score_net_curves.png
	$(BIN)/semcom train curves --model "autoencoder=$(MV)/autoencoder_log.csv" --metric val_psnr --metric val_psnr_fg \
	    --out $(MV)/autoencoder_curves.png
	$(BIN)/semcom train curves --model "score net (bundled: token reader, three stages)=$(PM)/diffusion_reader_log.csv,$(PM)/diffusion_reader2_log.csv,$(PM)/diffusion_reader3_log.csv" \
	    --model "score net without the reader (bundled before; three stages)=$(PM)/diffusion_log.csv,$(PM)/diffusion_full_ae_log.csv,$(PM)/diffusion_minsnr5_log.csv" \
	    --out $(PM)/score_net_curves.png
	$(BIN)/semcom train curves --model "autoencoder=$(PM)/autoencoder_log.csv,$(PM)/autoencoder_decoder_log.csv,$(PM)/autoencoder_decoder2_log.csv,$(PM)/autoencoder_decoder3_log.csv,$(PM)/autoencoder_full_log.csv" \
	    --metric val_psnr --metric val_l1 --out $(PM)/autoencoder_curves.png

lint: $(INSTALLED)
	$(BIN)/ruff check semcom channels tests benchmarks docs

bench: assets
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean-venv:
	rm -rf $(VENV)
