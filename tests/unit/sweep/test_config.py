import pytest

from semcom.errors import SemcomError
from semcom.sweep.config import parse_experiment
from semcom.sweep.grid import Cell, cell_id, expand

GOOD = """
name = "t"
[data]
dataset = "mvshapes"
n_objects = 8
[defaults]
link_mode = "abstraction"
[[grid]]
scheme = ["semantic", "bitexact"]
channel = ["awgn", "rayleigh-block"]
snr_db = [0, 10]
views_sent = [1, 4]
[[grid]]
scheme = "semantic"
channel = "awgn"
snr_db = 10
views_sent = 4
"""


def test_expansion_crosses_only_the_axes_a_scheme_uses():
    config = parse_experiment(GOOD)
    cells = expand(config)
    # 2 channels x 2 SNR x 2 views for each scheme; the second grid repeats a semantic cell
    assert len(cells) == 16
    semantic = [c for c in cells if c.scheme == "semantic"]
    bitexact = [c for c in cells if c.scheme == "bitexact"]
    assert all(c.codec is None and c.quality is None for c in semantic)
    assert all(c.bits_per_value is None and c.imputer is None for c in bitexact)
    assert all(c.link_mode == "abstraction" for c in cells)  # from [defaults]
    assert len({cell_id(c, config) for c in cells}) == 16


def test_cell_ids_are_stable_and_depend_on_the_data():
    a = parse_experiment(GOOD)
    b = parse_experiment(GOOD.replace("n_objects = 8", "n_objects = 9"))
    cell = Cell("semantic", "awgn", 10.0, 4, "random", 0)
    assert cell_id(cell, a) == cell_id(cell, parse_experiment(GOOD))
    assert cell_id(cell, a) != cell_id(cell, b)


@pytest.mark.parametrize("edit, message", [
    (('name = "t"', 'name = "t"\ncolour = 3'), "unknown key 'colour'; allowed: kind, name, description, plugins"),
    (('channel = "awgn"', 'channel = "awgm"'), "bad value channel = 'awgm'; allowed: awgn, rayleigh-block, rayleigh-fast"),
    (("snr_db = 10\n", 'snr_db = "nan"\n'), "not NaN"),
    (("views_sent = 4\n", "views_sent = 5\n"), "views_sent = 5 but mvshapes has 4 views"),
    (("n_objects = 8", "n_objects = 0"), "n_objects and batch_size must be >= 1"),
    (("n_objects = 8", "n_objects = 8\nbatchsize = 2"), "unknown key data.batchsize"),
    (('dataset = "mvshapes"', 'dataset = "cifar"'), "unknown dataset 'cifar'"),
    (("snr_db = [0, 10]", "snr_db = []"), "axis snr_db has no values"),
    (("views_sent = [1, 4]", "view = [1, 4]"), "unknown axis 'view'"),
    (("link_mode = \"abstraction\"", "link_mode = \"fast\""), "allowed: full, abstraction"),
    (("[[grid]]", "[grid"), "not valid TOML"),
    (('channel = ["awgn", "rayleigh-block"]', 'channel = "awgn"\nharq = 4\nharq_combining = "soft"'),
     "bad value harq_combining = 'soft'; allowed: chase, ir"),
    (('link_mode = "abstraction"', 'snr_db = [0, 10]'), "[defaults] snr_db takes one value, got 2; sweep a list in a [[grid]]"),
    (('channel = "awgn"', 'channel = "tdl-a:doppler_hz=-1"'), "TDL doppler_hz must be a number >= 0, got -1.0"),
    (('channel = "awgn"', 'channel = "tdl-b:speed=3"'), "unknown TDL option 'speed'; allowed: delay_spread_ns"),
    (('channel = "awgn"', 'channel = "tdl-c"\nharq = 4\nharq_fading = "same"'),
     "harq_fading = 'same' needs one fading gain per packet; allowed channels: awgn, rayleigh-block"),
    (('channel = "awgn"', 'channel = "rayleigh-fast"\nlink_mode = "full"\nmcs = "auto-outage"'),
     "mcs = 'auto-outage' needs one fading gain per packet or an effective-SINR mapping; allowed channels: "
     "awgn, rayleigh-block, tdl-a"),
    (('channel = "awgn"', 'channel = "tdl-a:csi=ls"\nmcs = "auto-csi"'),
     "mcs = 'auto-csi' needs one fading gain per packet; allowed channels: awgn, rayleigh-block (channel"),
])
def test_bad_files_are_rejected_with_one_line(edit, message):
    text = GOOD.replace(*edit, 1)
    with pytest.raises(SemcomError) as err:
        expand(parse_experiment(text, "bad.toml"))
    assert message in str(err.value) and "\n" not in str(err.value), str(err.value)


def test_tdl_channels_with_options_expand_in_the_abstraction():
    config = parse_experiment(GOOD.replace('channel = ["awgn", "rayleigh-block"]',
                                           'channel = ["tdl-a", "tdl-c:delay_spread_ns=300,csi=ls"]'))
    cells = expand(config)
    assert {c.channel for c in cells} == {"tdl-a", "tdl-c:delay_spread_ns=300,csi=ls", "awgn"}
    assert len({cell_id(c, config) for c in cells}) == len(cells)


def test_harq_combining_keeps_the_ids_of_older_cells():
    config = parse_experiment(GOOD)
    cell = Cell("bitexact", "awgn", 10.0, 4, "random", 0, link_mode="full", harq=4, harq_fading="new")
    assert cell_id(cell, config) == cell_id(Cell(**{**cell.as_dict(), "harq_combining": "chase"}), config)
    assert cell_id(cell, config) != cell_id(Cell(**{**cell.as_dict(), "harq_combining": "ir"}), config)


def test_empty_grid_is_rejected():
    with pytest.raises(SemcomError, match="empty grid"):
        parse_experiment('name = "x"\n[data]\nn_objects = 2\n')


def test_snr_db_takes_a_start_step_stop_range():
    text = 'name = "t"\n[data]\nn_objects = 4\n[[grid]]\nscheme = "capacity"\nsnr_db = "0:2:6"\n'
    assert parse_experiment(text).grids[0]["snr_db"] == (0.0, 2.0, 4.0, 6.0)
    with pytest.raises(SemcomError, match="malformed SNR list '6:2:0'; use start:step:stop"):
        parse_experiment(text.replace("0:2:6", "6:2:0"))
