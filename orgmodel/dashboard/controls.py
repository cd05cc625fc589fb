"""The sidebar's run controls and settings, built from Mesa SolaraViz's own parts.

Reset, Play/Pause and Step are Mesa's ``ModelController``; the settings are
Mesa's ``UserInputs``. What this module adds is a guard between them: the
settings Reset builds a model from are only ever a combination the model
accepts. SolaraViz's own panel hands every choice straight to Reset, so an
impossible pair (``split_commission`` under ``full_cycle``) would replace the
whole page with a traceback in front of the room; here the panel says what is
wrong instead, and Reset keeps the last valid settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import solara
from mesa.visualization.solara_viz import ModelController, UserInputs

from orgmodel.dashboard import params

if TYPE_CHECKING:
    from orgmodel.model.model import SalesOrgModel

#: defaults of the speed controls. Drawing the six charts costs far more than computing weeks (a few
#: hundred ms against about a millisecond a week), and four of them show monthly data; a redraw (and a
#: Step) of four weeks closes about a month each time, so every chart moves at each redraw and Play
#: runs at about twice the weeks per second of a two-week redraw
PLAY_INTERVAL_MS = 20
WEEKS_PER_REDRAW = 4


@solara.component
def RunCard(
    model: solara.Reactive[SalesOrgModel],
    settings: solara.Reactive[dict[str, Any]],
    play_interval: solara.Reactive[int],
    render_interval: solara.Reactive[int],
) -> None:
    """Reset / Play-Pause / Step with the speed of Play (Mesa's controller)."""
    use_threads = solara.use_reactive(False)
    with solara.Card("Run"):
        ModelController(
            model,
            model_parameters=settings,
            play_interval=play_interval,
            render_interval=render_interval,
            use_threads=use_threads,
        )
        with solara.Column(style={"margin-top": "20px"}):
            solara.SliderInt(
                "Weeks per redraw", value=render_interval, min=1, max=13, step=1, thumb_label="always", tick_labels=False
            )
            solara.SliderInt(
                "Pause between redraws (ms)",
                value=play_interval,
                min=0,
                max=500,
                step=10,
                thumb_label="always",
                tick_labels=False,
            )


@solara.component
def SettingsCard(model: SalesOrgModel, settings: solara.Reactive[dict[str, Any]]) -> None:
    """The settings a new run starts from; they take effect at the next Reset."""
    chosen = solara.use_reactive(solara.use_memo(lambda: dict(settings.value), []))  # what the widgets show
    issue = params.problem(chosen.value)

    def on_change(name: str, value: Any) -> None:
        new = {**chosen.value, name: value}
        chosen.set(new)
        if params.problem(new) is None:
            settings.set(new)

    # the settings this model was built from: Reset builds from `settings` and then renders the new model
    built = solara.use_memo(lambda: dict(settings.value), [id(model)])
    names = params.labels()
    pending = [names.get(k, k) for k, v in chosen.value.items() if built.get(k, v) != v]
    with solara.Card("Settings for the next Reset"):
        UserInputs(params.controls(), on_change=on_change)
        if issue is not None:
            solara.Error(f"{issue}. Reset keeps the last valid settings.", classes=["orgmodel-message"])
        elif pending:
            solara.Info(f"Changed: {'; '.join(pending)}. Press Reset to start a run with them.", classes=["orgmodel-message"])
