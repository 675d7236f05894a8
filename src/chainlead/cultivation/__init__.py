"""SME tier cultivation (梯度培育): the criteria of 创新型中小企业, 专精特新中小企业, 专精特新“小巨人”
and 浙江省隐形冠军 as versioned rule data, a vectorised evaluator, explanations in words, near-miss
advice, and the candidates / funnel services (see docs/cultivation.md)."""
